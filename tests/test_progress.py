import io
import sys

from analysis import progress


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_quiet_when_not_a_terminal(monkeypatch):
    monkeypatch.delenv("ANALYSIS_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    items = [1, 2]
    assert progress.progress(items) is items


def test_quiet_inside_a_notebook_kernel(monkeypatch):
    monkeypatch.delenv("ANALYSIS_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", _Tty())
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    assert not progress.enabled()


def test_bar_in_a_terminal(monkeypatch):
    monkeypatch.delenv("ANALYSIS_PROGRESS", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    err = _Tty()
    monkeypatch.setattr(sys, "stderr", err)
    assert list(progress.progress(range(5), desc="parsing")) == [0, 1, 2, 3, 4]
    assert "parsing" in err.getvalue()


def test_environment_variable_overrides(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setenv("ANALYSIS_PROGRESS", "1")
    assert progress.enabled()
    monkeypatch.setenv("ANALYSIS_PROGRESS", "0")
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert not progress.enabled()
