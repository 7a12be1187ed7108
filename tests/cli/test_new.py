"""``detente new``: writes a scaffold, never over an existing file."""

from __future__ import annotations


def test_new_writes_a_file_that_validates(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("new", "border-war")
    assert res.code == 0, res.output
    assert (tmp_path / "border-war.yaml").exists()
    assert invoke("validate", "border-war.yaml").code == 0


def test_new_does_not_overwrite(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text("my own work\n")
    res = invoke("new", "mine")
    assert res.code == 2
    assert "already exists" in res.output
    assert (tmp_path / "mine.yaml").read_text() == "my own work\n"


def test_new_refuses_a_bad_name(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("new", "Bad Name")
    assert res.code == 2
    assert "not a scenario name" in res.output
    assert not list(tmp_path.iterdir())
