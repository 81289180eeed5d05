import shutil

from analysis import verify


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
