import shutil

from analysis.pipeline import verify


def _tree(root):
    (root / "figures").mkdir(parents=True)
    (root / "figures" / "a.png").write_bytes(b"\x89PNG figure bytes")
    (root / "data" / "processed").mkdir(parents=True)
    (root / "data" / "processed" / "t.csv").write_text("a\n1\n")
    (root / "notebooks" / ".ipynb_checkpoints").mkdir(parents=True)
    (root / "notebooks" / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    (root / "notebooks" / "01.ipynb").write_text("{}")


def test_identical_rebuild_passes(tmp_path):
    _tree(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    table = verify.compare(verify.artefact_hashes(tmp_path / "a"),
                           verify.artefact_hashes(tmp_path / "b"))
    # Three artefacts by construction; checkpoints are not artefacts.
    assert table["artefact"].tolist() == ["data/processed/t.csv", "figures/a.png",
                                          "notebooks/01.ipynb"]
    assert table["identical"].all()


def test_one_changed_byte_of_a_figure_fails(tmp_path):
    _tree(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    fig = tmp_path / "b" / "figures" / "a.png"
    data = bytearray(fig.read_bytes())
    data[-1] ^= 0x01
    fig.write_bytes(bytes(data))
    table = verify.compare(verify.artefact_hashes(tmp_path / "a"),
                           verify.artefact_hashes(tmp_path / "b"))
    assert table.set_index("artefact")["identical"].to_dict() == {
        "data/processed/t.csv": True, "figures/a.png": False, "notebooks/01.ipynb": True}
    assert "1 different" in verify.render(table)


def test_a_new_artefact_fails(tmp_path):
    _tree(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    (tmp_path / "b" / "figures" / "new.svg").write_text("<svg/>")
    table = verify.compare(verify.artefact_hashes(tmp_path / "a"),
                           verify.artefact_hashes(tmp_path / "b"))
    assert not table["identical"].all()


def _sidecar(python, extra=1):
    # The shape of a figure sidecar's "versions" block (analysis.figures.package_versions).
    return (f'{{\n  "x": {extra},\n  "versions": {{\n    "numpy": "2.4.6",\n'
            f'    "python": "{python}"\n  }}\n}}\n').encode()


def test_a_sidecar_that_differs_only_in_the_python_version_is_environment_not_content():
    old, new = _sidecar("3.11.7"), _sidecar("3.13.0")
    pairs = verify.environment_lines(old, new)
    assert pairs == [('    "python": "3.11.7"', '    "python": "3.13.0"')]
    table = verify.compare({"figures/a.json": "h1"}, {"figures/a.json": "h2"},
                           {"figures/a.json": pairs})
    assert table["status"].tolist() == ["environment differs"]
    assert verify.passes(table)
    text = verify.render(table, {"figures/a.json": pairs})
    assert 'figures/a.json: "python": "3.11.7"  ->  "python": "3.13.0"' in text
    assert "1 environment differs, 0 different" in text


def test_a_content_change_beside_a_version_change_fails():
    # One version line and one data line differ: content, whatever else changed.
    assert verify.environment_lines(_sidecar("3.11.7", 1), _sidecar("3.13.0", 2)) is None
    # A version-looking line under a key that is not an environment record is content too.
    assert verify.environment_lines(b'"n_segments": "1.2"\n', b'"n_segments": "1.3"\n') is None
    # Binary files (figures) are never "environment".
    assert verify.environment_lines(b"\x89PNG\xff\x00", b"\x89PNG\xfe\x00") is None
    table = verify.compare({"figures/a.png": "h1"}, {"figures/a.png": "h2"}, {})
    assert not verify.passes(table)
