"""The command line: exit codes, files written and messages (no notebook is run here)."""

import json
from pathlib import Path

import pytest

from bookkit.__main__ import main

FIXTURES = Path(__file__).parent / "fixtures" / "exercises"


def test_release_lists_the_files_it_writes(tmp_path, capsys):
    status = main(["release", "--source", str(FIXTURES / "source"), "--out",
                   str(tmp_path / "out"), "--reader", str(tmp_path / "reader"),
                   "--edition", "student"])
    assert status == 0
    assert capsys.readouterr().out.split() == [
        str(tmp_path / "out" / "student" / "01-sample.ipynb"),
        str(tmp_path / "out" / "instructor" / "01-sample.ipynb"),
        str(tmp_path / "reader" / "download" / "01-sample.ipynb"),
        str(tmp_path / "reader" / "01-sample.ipynb")]
    assert "solution-start" not in (tmp_path / "reader" / "01-sample.ipynb").read_text()


def test_a_bad_source_folder_is_exit_status_2_with_a_message(tmp_path, capsys):
    assert main(["release", "--source", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: no exercise notebook (*.ipynb) in {tmp_path}\n"
    assert main(["check-stubs", "--source", str(tmp_path)]) == 2
    assert "error: no exercise notebook in" in capsys.readouterr().err


def test_grade_writes_json_and_csv_for_unreadable_submissions(tmp_path, capsys):
    damaged = tmp_path / "alice" / "01-sample.ipynb"
    damaged.parent.mkdir()
    damaged.write_text("{not json")
    status = main(["grade", str(tmp_path / "alice"), str(FIXTURES / "submissions" / "unknown"),
                   "--source", str(FIXTURES / "source"), "--json", str(tmp_path / "g.json"),
                   "--csv", str(tmp_path / "g.csv")])
    assert status == 0
    out = capsys.readouterr().out
    assert f"{damaged}  [01-sample]  invalid  0/9" in out
    assert "notes.ipynb  [?]  unknown  0/?" in out
    data = json.loads((tmp_path / "g.json").read_text())
    assert [(s["status"], s["score"]) for s in data["submissions"]] == [
        ("invalid", 0), ("unknown", 0)]
    assert (tmp_path / "g.csv").read_text().count("\n") == 3


def test_grading_without_the_sandbox_is_refused_unless_asked_for_loudly(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.setattr("bookkit.sandbox.bwrap_path", lambda: None)
    args = ["grade", str(FIXTURES / "submissions" / "unknown"), "--source",
            str(FIXTURES / "source"), "--out", str(tmp_path / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "error: bubblewrap (bwrap) is not installed: apt-get install bubblewrap" in err
    assert "to grade without one, pass --no-sandbox-i-trust-these-files" in err
    assert not (tmp_path / "out").exists()
    assert main([*args, "--no-sandbox-i-trust-these-files"]) == 0
    assert "WARNING: --no-sandbox-i-trust-these-files: learners' code runs WITHOUT a sandbox" \
        in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "grades.csv", "grades.json", "report.txt"]


def test_a_negative_time_limit_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["grade", "x.ipynb", "--timeout", "-1"])
    assert info.value.code == 2
    assert "expected a positive number of seconds, got -1" in capsys.readouterr().err
