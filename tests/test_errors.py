import pickle

import pytest

from analysis import __main__ as cli
from analysis.errors import DataError
from analysis.paths import ROOT


def test_message_names_file_line_and_reason():
    # The format is fixed by the issue: "error: FILE:LINE: reason" on the command line.
    err = DataError(ROOT / "data" / "raw" / "x.csv", 3, "bad date '2013-13'")
    assert str(err) == "data/raw/x.csv:3: bad date '2013-13'"
    assert (err.path, err.line, err.reason) == ("data/raw/x.csv", 3, "bad date '2013-13'")


def test_message_without_line():
    assert str(DataError("/tmp/a.txt", None, "file is empty")) == "/tmp/a.txt: file is empty"


def test_pickles():
    err = pickle.loads(pickle.dumps(DataError("a.csv", 2, "why")))
    assert str(err) == "a.csv:2: why"


def test_cli_prints_one_line_and_exits_2(monkeypatch, capsys):
    class Failing:
        @staticmethod
        def main(argv):
            raise DataError("data/raw/x.csv", 7, "unknown tier 'mezzo'")

    monkeypatch.setattr(cli.importlib, "import_module", lambda name: Failing)
    assert cli.main(["validate"]) == 2
    err = capsys.readouterr().err
    assert err == "error: data/raw/x.csv:7: unknown tier 'mezzo'\n"


def test_cli_unknown_command(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["--help"]])
def test_cli_help(argv, capsys):
    assert cli.main(argv) == 0
    assert "usage: python -m analysis" in capsys.readouterr().out
