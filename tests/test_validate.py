import types

from analysis.pipeline import validate
from analysis.errors import DataError


def test_the_shipped_inputs_are_valid():
    assert validate.validate_all() == []


def test_every_problem_is_one_line_and_exit_2(monkeypatch, capsys):
    fake = types.SimpleNamespace(validate_all=lambda: [
        DataError("data/raw/a.csv", 3, "unknown tier 'mezzo'"),
        DataError("data/raw/b.yml", 12, "stem 'Foo' is not lower-case")])
    monkeypatch.setattr(validate, "VALIDATORS", ("fake",))
    monkeypatch.setattr(validate.importlib, "import_module", lambda name: fake)
    assert validate.main([]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: data/raw/a.csv:3: unknown tier 'mezzo'",
        "error: data/raw/b.yml:12: stem 'Foo' is not lower-case"]


def test_all_well_exits_0(monkeypatch, capsys):
    monkeypatch.setattr(validate, "VALIDATORS", ("fake",))
    monkeypatch.setattr(validate.importlib, "import_module",
                        lambda name: types.SimpleNamespace(validate_all=lambda: []))
    assert validate.main([]) == 0
    assert "well-formed" in capsys.readouterr().out
