import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from analysis import paths
from analysis.pipeline import notebooks


def _tiny(path):
    nb = new_notebook()
    nb.cells = [new_code_cell("x = 2\nprint(x * 21)", id="c0")]
    nb.metadata["kernelspec"] = {"name": notebooks.KERNEL_NAME, "display_name": "Python",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def test_strip_volatile_removes_run_times_and_paths():
    nb = new_notebook()
    nb.cells = [new_code_cell("1", id="c0")]
    nb.metadata["papermill"] = {"start_time": "2026-11-26T07:00", "duration": 1.5,
                                "input_path": "/a", "output_path": "/b", "parameters": {"k": 1}}
    nb.cells[0].metadata.update({"papermill": {"status": "completed"},
                                 "execution": {"iopub.status.busy": "2026"}})
    notebooks.strip_volatile(nb)
    # What varies between runs goes; the parameters (what the run was) stay.
    assert nb.metadata["papermill"] == {"parameters": {"k": 1}}
    assert nb.cells[0].metadata == {}


@pytest.mark.slow
def test_running_twice_gives_identical_bytes(tmp_path):
    nb = _tiny(tmp_path / "tiny.ipynb")
    notebooks.run(nb)
    first = nb.read_bytes()
    notebooks.run(nb)
    assert nb.read_bytes() == first
    outputs = json.loads(first)["cells"][0]["outputs"]
    assert "".join(outputs[0]["text"]) == "42\n"  # 2 * 21


def test_declared_parameters_are_read_past_comments_with_brackets(tmp_path):
    # The names below are the cell's assignments, read off it by eye; papermill's own
    # inspection skipped `tiers` and `pattern` here (their comments hold "[]", "=" and
    # parentheses), so a private study's values for them were dropped.
    nb = new_notebook()
    nb.cells = [new_code_cell("import os", id="c0"),
                new_code_cell('codes = ["th_a"]   # codes shown\n'
                              'tiers = ["meso"]   # tiers included ([] = all)\n'
                              '%matplotlib inline\n'
                              'pattern = ""       # regular expression ("" = any)\n'
                              'top_n: int = 5\n', id="c1", metadata={"tags": ["parameters"]}),
                new_code_cell("later = 1", id="c2")]
    nbformat.write(nb, tmp_path / "p.ipynb")
    assert notebooks.declared_parameters(tmp_path / "p.ipynb") == [
        "codes", "tiers", "pattern", "top_n"]


@pytest.mark.slow
def test_runner_logs_nothing_but_one_line_per_notebook(tmp_path, capfd):
    nb = _tiny(tmp_path / "tiny.ipynb")
    assert notebooks.main(["run", str(nb)]) == 0
    out, err = capfd.readouterr()
    # no kernel warnings (plain TCP), no papermill messages: the one line "executed ... in N s"
    assert err == ""
    assert len(out.splitlines()) == 1 and out.startswith("executed ") and out.endswith(" s\n")


@pytest.mark.slow
def test_a_parameter_whose_comment_holds_equals_signs_is_passed_quietly(tmp_path, capfd):
    nb = new_notebook()
    nb.cells = [new_code_cell('tiers = ["meso"]   # tiers included ([] = all)', id="c0",
                              metadata={"tags": ["parameters"]}),
                new_code_cell("print(tiers)", id="c1")]
    nb.metadata["kernelspec"] = {"name": notebooks.KERNEL_NAME, "display_name": "Python",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "p.ipynb")
    notebooks.run(tmp_path / "p.ipynb", parameters={"tiers": []})
    out = json.loads((tmp_path / "p.ipynb").read_text())["cells"][-1]["outputs"]
    assert "".join(out[0]["text"]) == "[]\n"  # the value passed, not the default
    assert capfd.readouterr().err == ""  # no "Unable to parse line", "unknown parameter"


def test_parameters_files_are_rewritten_only_when_they_change(tmp_path):
    # Over the demo's processed study (its coders are coder_a and coder_b): 01 and 03
    # declare nothing the study fills in, so their files say {}; the files are written
    # once, then only the one whose parameters study.yml changes is rewritten.
    from analysis.study import Study

    def study(parameters):
        return Study(Path("."), Path("p"), Path("k"), Path("."), coders=("coder_a", "coder_b"),
                     parameters=parameters)

    nbs = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    first = notebooks.write_parameters(nbs, study({}), tmp_path)
    assert sorted(p.name for p in first) == [f"params-{nb.stem}.json" for nb in nbs]
    record = json.loads((tmp_path / "params-01_strategy_timeline.json").read_text())
    assert record == {"notebook": "01_strategy_timeline", "parameters": {}, "stop": None}
    assert json.loads((tmp_path / "params-06_coding_reliability.json").read_text())[
        "parameters"] == {"coders": ["coder_a", "coder_b"]}
    assert notebooks.write_parameters(nbs, study({}), tmp_path) == []
    # start_year for 01; n_boot for every notebook, but only 05 and 06 declare it
    again = notebooks.write_parameters(
        nbs, study({"01_strategy_timeline": {"start_year": 2000}, "all": {"n_boot": 50}}),
        tmp_path)
    assert [p.name for p in again] == ["params-01_strategy_timeline.json",
                                       "params-05_policy_practice_alignment.json",
                                       "params-06_coding_reliability.json"]


def test_fingerprint_depends_on_the_modules_loaded():
    # Same modules, same digest; a different set of modules, a different digest.
    a = notebooks.fingerprint(["analysis.paths", "analysis.errors"])
    assert a == notebooks.fingerprint(["analysis.errors", "analysis.paths"])
    assert a != notebooks.fingerprint(["analysis.paths"])


def test_colophon_has_no_timestamp_or_commit():
    text = notebooks.colophon()
    assert "python" in text and "fingerprint" in text
    assert "commit" not in text


def test_every_notebook_has_a_question_and_a_parameters_cell():
    for nb_path in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        assert nb_path.stem in notebooks.QUESTIONS
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, nb_path.name
        last = nb.cells[-1]
        assert last.cell_type == "code" and "# NBVAL_IGNORE_OUTPUT" in last.source
        # Committed with outputs: nbval would check nothing otherwise.
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_missing_notebook_is_a_data_error(tmp_path):
    from analysis.errors import DataError

    with pytest.raises(DataError, match="not found"):
        notebooks.run(tmp_path / "nope.ipynb")


@pytest.mark.parametrize("nb_path", sorted(paths.NOTEBOOKS.glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_every_saved_figure_is_shown_in_its_cell(nb_path):
    # A cell that saves n figures (figs.save returns the image) shows n PNG outputs.
    nb = nbformat.read(nb_path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        saved = cell.source.count("figs.save(")
        shown = sum("image/png" in out.get("data", {}) for out in cell.outputs)
        assert shown == saved, f"{nb_path.name} cell {i}: saves {saved}, shows {shown}"


def test_study_yml_coders_become_the_names_the_tables_show(tmp_path):
    from analysis.pipeline.notebooks import study_parameters
    from analysis.study import load_study

    (tmp_path / "identifier_key.csv").write_text(
        "original,replacement\nJane Smith,[Researcher]\nBob Jones,[Person B]\n")
    (tmp_path / "study.yml").write_text(
        "coders: [janesmith, bobjones]\ndefault_coder: coder_a\n"
        "coder_names: {janesmith: coder_a}\n")
    values = study_parameters(paths.NOTEBOOKS / "06_coding_reliability.ipynb",
                              load_study(tmp_path))
    # janesmith has a display name; bobjones is "Bob Jones" run together: its replacement
    assert values["coders"] == ["coder_a", "[Person B]"]
    assert study_parameters(paths.NOTEBOOKS / "04_interview_theme_matrix.ipynb",
                            load_study(tmp_path))["coder"] == "coder_a"


@pytest.mark.slow
def test_an_illegible_figure_stops_the_run_with_one_line(tmp_path, monkeypatch):
    # a notebook that saves a figure breaking the tick-spacing rule
    nb = new_notebook()
    nb.cells = [new_code_cell(
        "import matplotlib.pyplot as plt\n"
        "from analysis import figures\n"
        "fig, ax = plt.subplots(figsize=(2, 2))\n"
        "_ = ax.set_xticks(range(80), [str(i) for i in range(80)], rotation=90)\n"
        "figures.legibility.hint(ax, x='set `top`')\n"
        "figures.provenance('t').save(fig, 'crowded')", id="c0")]
    nb.metadata["kernelspec"] = {"name": notebooks.KERNEL_NAME, "display_name": "Python",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "t.ipynb")
    monkeypatch.setenv("ANALYSIS_FIGURES", str(tmp_path / "figs"))
    from analysis.errors import DataError

    with pytest.raises(DataError) as err:
        notebooks.run(tmp_path / "t.ipynb", output=tmp_path / "out.ipynb")
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    assert "crowded.png" in message and "tick spacing" in message and "set `top`" in message
    assert not (tmp_path / "figs" / "crowded.png").exists()


@pytest.mark.slow
def test_notebook_04_on_250_codes_in_50_categories(tmp_path, monkeypatch):
    # the generated real-size study (tests/_big_codebook.py), one coder, monologue
    # transcripts: the default views must fit, say what they rolled up, and pass the
    # legibility rules checked again, independently, on the saved SVGs
    import importlib.util
    import sys

    from _big_codebook import write_study

    write_study(tmp_path / "processed", coders=1)
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(tmp_path / "processed"))
    monkeypatch.setenv("ANALYSIS_FIGURES", str(tmp_path / "figs"))
    monkeypatch.setenv("ANALYSIS_TABLES", str(tmp_path / "tables"))
    out = notebooks.run(paths.NOTEBOOKS / "04_interview_theme_matrix.ipynb",
                        output=tmp_path / "04.ipynb")
    printed = "".join("".join(o.get("text", "")) for c in nbformat.read(out, 4).cells
                      if c.cell_type == "code" for o in c.outputs)
    # 250 codes in 50 categories: at 28 participants the 150 codes of level 1 do not fit
    # a page at 10 pt a column; the 50 categories do (tests/_big_codebook.py)
    assert "Code view (level 0): 50 categories; codes rolled up" in printed
    assert "No coverage by tier" in printed  # monologues: no participant turns
    made = sorted(p.name for p in (tmp_path / "figs").glob("*.svg"))
    assert made == ["04_cooccurrence.svg", "04_framework_matrix.svg"]
    svg = (tmp_path / "figs" / "04_framework_matrix.svg").read_text(encoding="utf-8")
    assert "50 categories; codes rolled up" in svg  # the title says what it shows
    spec = importlib.util.spec_from_file_location("svg_legibility",
                                                  paths.ROOT / "tools" / "svg_legibility.py")
    checker = importlib.util.module_from_spec(spec)
    sys.modules["svg_legibility"] = checker
    spec.loader.exec_module(checker)
    assert [p for name in made for p in checker.check_svg(tmp_path / "figs" / name)] == []
    full = (tmp_path / "tables" / "04_framework_matrix_full.csv").read_text(encoding="utf-8")
    assert len(full.splitlines()) == 1 + 28 * 250  # header + participants × codable codes


def test_notebook_07_on_a_private_study_walks_down_the_busiest_category(tmp_path, monkeypatch):
    from _big_codebook import write_study

    from analysis.study import Study

    folder = write_study(tmp_path, coders=1)
    monkeypatch.setattr(paths, "PROCESSED_INTERVIEWS", folder)
    values = notebooks.study_parameters(paths.NOTEBOOKS / "07_coded_evidence.ipynb",
                                        Study(tmp_path, tmp_path, tmp_path, tmp_path))
    # independently: coder_a's most used code (ties to the first id), and the first
    # element of its path in codes.csv (its top category)
    import pandas as pd

    seg = pd.read_csv(folder / "segments.csv", dtype=str)
    counts = seg["code_id"].value_counts()
    busiest = sorted(counts[counts == counts.max()].index)[0]
    codes = pd.read_csv(folder / "codes.csv", dtype=str).set_index("code_id")
    assert values["codes"] == [codes.loc[busiest, "path"].split("/")[0]]
    assert values["tiers"] == []
