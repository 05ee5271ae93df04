"""Grading: a mixed folder of results files, class figures, CSV, HTML and the CLI."""

import csv
import io
import json
import re

import pytest

from runner import results
from runner.grade import grade_checked, grade_paths, read_roster, to_csv, to_html
from runner.grade.model import Checked
from tests.cli.helpers import run_cli
from tests.instructor import classdata

KEY = "grading-key"
ENV = {"CRASHLAB_GRADING_KEY": KEY, "NO_COLOR": "1"}


@pytest.fixture
def mixed(tmp_path):
    """good (2), unsigned, tampered, truncated, duplicate (older + newer), roster with a missing one."""
    folder = tmp_path / "results"
    ada = classdata.record("ada", [
        classdata.scenario_entry("ada", "bad-command", diagnose=60, fix=120),
        classdata.scenario_entry("ada", "oom-killed", wrong=["liveness_probe"], hints=1,
                                 diagnose=200, fix=400),
        classdata.scenario_entry("ada", "invalid-user", status="revealed", revealed=True,
                                 wrong=["app_config", "bad_command"], hints=3)])
    classdata.write(folder / "lab-3-ada.json", ada, KEY)
    grace = classdata.record("grace", [
        classdata.scenario_entry("grace", "bad-command", diagnose=100, fix=200),
        classdata.scenario_entry("grace", "oom-killed", diagnose=80, fix=300),
        classdata.scenario_entry("grace", "invalid-user", wrong=["app_config"], diagnose=150,
                                 fix=500)])
    classdata.write(folder / "lab-3-grace.json", grace, KEY)
    classdata.write(folder / "lab-3-ken.json", classdata.record("ken", [
        classdata.scenario_entry("ken", "bad-command", diagnose=40, fix=90)]))
    mallory = folder / "lab-3-mallory.json"
    classdata.write(mallory, classdata.record("mallory", [
        classdata.scenario_entry("mallory", "bad-command", status="investigating")]), KEY)
    mallory.write_text(mallory.read_text().replace('"investigating"', '"verified"    ', 1))
    truncated = folder / "lab-3-tim.json"
    classdata.write(truncated, classdata.record("tim"), KEY)
    truncated.write_text(truncated.read_text()[:300])
    classdata.write(folder / "lab-3-linus.json", classdata.record("linus", [
        classdata.scenario_entry("linus", "bad-command", status="fixing")], updated=1000), KEY)
    classdata.write(folder / "lab-3-linus-copy.json", classdata.record("linus", [
        classdata.scenario_entry("linus", "bad-command", diagnose=70, fix=150)], updated=2000), KEY)
    (folder / "notes.txt").write_text("not a results file")
    roster = tmp_path / "roster.txt"
    roster.write_text("# class of 25 Nov\nada\ngrace\nken\nmallory\ntim\nlinus\nsophie\n")
    return folder, roster


def _flags(report):
    return {(f.kind, f.participant or f.source) for f in report.flags}


def test_mixed_folder_flags_every_problem_and_keeps_going(mixed):
    folder, roster = mixed
    report = grade_paths([folder], KEY, ["ada", "grace", "ken", "mallory", "tim", "linus", "sophie"],
                         classdata.SCENARIOS)
    kinds = _flags(report)
    assert ("unsigned", "ken") in kinds
    assert ("tampered", "mallory") in kinds
    assert ("missing", "sophie") in kinds
    assert ("invalid", "tim") in kinds
    assert ("duplicate", "linus") in kinds
    dup = next(f for f in report.flags if f.kind == "duplicate")
    assert dup.source.endswith("lab-3-linus.json") and "kept" in dup.reason
    assert report.row("linus", "bad-command").status == "verified"  # the newer copy
    invalid = next(f for f in report.flags if f.kind == "invalid")
    assert "truncated" in invalid.reason and invalid.source.endswith("lab-3-tim.json")
    assert report.row("tim", "bad-command") is None
    assert invalid.participant == "tim" and ("missing", "tim") not in kinds  # named from the file
    assert report.row("mallory", "bad-command").trust == "tampered"
    assert not report.ok


def test_class_figures_count_trusted_files_only(mixed):
    folder, _ = mixed
    report = grade_paths([folder], KEY, (), classdata.SCENARIOS)
    bad_command = report.figure("bad-command")
    # ada, grace, ken (unsigned still counts), linus; not mallory (tampered)
    assert bad_command.participants == 4 and bad_command.verified == 4
    assert bad_command.median_fix == 135.0  # median of 90, 120, 150, 200
    user = report.figure("invalid-user")
    assert user.revealed == 1 and user.solved_alone == 1 and user.first_try == 0
    assert report.hardest == "invalid-user"
    assert report.common_wrong[0] == ("invalid-user", "app_config", 2)
    ada_oom = report.row("ada", "oom-killed")
    assert (ada_oom.diagnosed, ada_oom.first_try, ada_oom.cause_attempts, ada_oom.hints) == (True, False, 2, 1)


def test_csv_has_one_line_per_participant_and_scenario(mixed):
    folder, _ = mixed
    report = grade_paths([folder], KEY, ["sophie"], classdata.SCENARIOS)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    ada = [r for r in rows if r["participant"] == "ada"]
    assert [r["scenario"] for r in ada] == list(classdata.SCENARIOS)
    assert ada[3]["status"] == "revealed" and ada[3]["solution_revealed"] == "yes"
    assert ada[1]["wrong_answers"] == "liveness_probe" and ada[1]["first_try"] == "no"
    assert ada[0]["time_to_fix_s"] == "120.0" and ada[0]["file_check"] == "ok"
    assert any(r["participant"] == "sophie" and r["file_check"] == "missing" for r in rows)


def test_html_is_self_contained(mixed):
    folder, _ = mixed
    report = grade_paths([folder], KEY, ["sophie"], classdata.SCENARIOS)
    page = to_html(report)
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<style>" in page
    assert not re.search(r"<script|<link|src=|@import|url\(", page)
    assert "hardest" in page and "sophie" in page and "tampered" in page


def test_html_escapes_what_participants_wrote():
    record = classdata.record("ada", [classdata.scenario_entry("ada", "bad-command",
                                                               wrong=["<script>x</script>"])])
    report = grade_checked([Checked("<b>.json", record, "ok")])
    page = to_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_never_crashes_on_odd_json(tmp_path):
    for name, text in {"list.json": "[1, 2]", "empty.json": "", "null.json": "null",
                       "bin.json": "\udcff"}.items():
        (tmp_path / name).write_text(text, errors="surrogateescape")
    (tmp_path / "wrongtypes.json").write_text(json.dumps({**classdata.record("ada"), "scenarios": "x"}))
    report = grade_paths([tmp_path, tmp_path / "nope.json"], KEY)
    assert sorted(f.kind for f in report.flags) == ["invalid"] * 6
    assert report.rows == []


def test_grade_cli_writes_table_csv_and_html_into_the_folder(mixed):
    folder, roster = mixed
    result = run_cli("grade", str(folder), "--roster", str(roster), environ=ENV)
    assert result.code == 0, result.stderr
    assert "ada" in result.stdout and "hardest scenario: invalid-user" in result.stdout
    assert "tampered" in result.stdout and "missing" in result.stdout
    assert (folder / "report.csv").exists() and (folder / "report.html").exists()
    again = run_cli("grade", str(folder), "--no-files", environ=ENV)  # report files are not results
    assert again.code == 0 and "report.csv" not in again.stdout


def test_grade_cli_explicit_outputs_and_errors(mixed, tmp_path):
    folder, _ = mixed
    out = tmp_path / "out"
    result = run_cli("grade", str(folder / "lab-3-ada.json"), "--csv", str(out / "c.csv"),
                     "--html", str(out / "r.html"), environ=ENV)
    assert result.code == 0 and (out / "c.csv").exists() and (out / "r.html").exists()
    nothing = run_cli("grade", environ=ENV)
    assert nothing.code == 2 and "give results files or folders" in nothing.stderr
    roster = run_cli("grade", str(folder), "--roster", str(tmp_path / "none.txt"), environ=ENV)
    assert roster.code == 2 and "cannot read the roster" in roster.stderr


NOTHING_TODO = ("give the folder (or files) the participants' results/<lab>-<name>.json were "
                "collected into; no report was written")


@pytest.mark.parametrize("content, reason", [
    (b'{"schema": "crashlab.dev/results/v1", "participant": "ada"', "not valid JSON (truncated?)"),
    (b"\x1f\x8b\x08\x08 a zipped folder", "not a text file (byte 1 is not UTF-8): restore the "
                                         "results file the lab wrote"),
])
def test_grade_exits_2_when_no_file_could_be_graded_and_still_prints_the_flags(
        tmp_path, content, reason):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "lab-3-ada.json").write_bytes(content)
    result = run_cli("grade", str(folder), environ=ENV)
    assert (result.code, result.stderr) == (2, f"crashlab: error: no results file in {folder} "
                                               f"could be graded (see the flags above): "
                                               f"{NOTHING_TODO}\n")
    shown = " ".join(result.stdout.split())  # the table wraps long flags
    assert f"invalid {folder / 'lab-3-ada.json'}: {reason}" in shown
    assert not (folder / "report.csv").exists() and not (folder / "report.html").exists()


def test_grade_of_an_empty_folder_exits_2(tmp_path):
    result = run_cli("grade", str(tmp_path), environ=ENV)
    assert (result.code, result.stderr) == (2, f"crashlab: error: no results file in {tmp_path} "
                                               f"(*.json) found: {NOTHING_TODO}\n")


def test_one_good_file_among_broken_ones_is_graded_with_exit_0(mixed):
    folder, _ = mixed
    assert run_cli("grade", str(folder), "--no-files", environ=ENV).code == 0


def test_grade_without_key_marks_signed_files_unverified(mixed):
    folder, _ = mixed
    result = run_cli("grade", str(folder), "--no-files", environ={"CRASHLAB_GRADING_KEY": "",
                                                                  "NO_COLOR": "1"})
    assert result.code == 0
    assert "unverified" in result.stdout and "signatures were not checked" in result.stderr


def test_results_verify_cli(mixed, tmp_path):
    folder, _ = mixed
    files = [str(folder / n) for n in ("lab-3-ada.json", "lab-3-ken.json", "lab-3-mallory.json",
                                       "lab-3-tim.json")]
    junit = tmp_path / "junit.xml"
    result = run_cli("results", "verify", *files, "--junit", str(junit), environ=ENV)
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ok", "unsigned", "tampered", "invalid"]
    assert "did not verify" in result.stderr and junit.exists()
    ok = run_cli("results", "verify", files[0], environ=ENV)
    assert ok.code == 0 and ok.stdout.startswith("ok")
    nokey = run_cli("results", "verify", files[0], environ={"CRASHLAB_GRADING_KEY": ""})
    assert nokey.code == 2 and "set CRASHLAB_GRADING_KEY" in nokey.stderr


def test_grading_a_path_that_does_not_exist_is_one_line_and_exit_2(tmp_path):
    from tests.cli.helpers import run_cli

    result = run_cli("grade", str(tmp_path / "nope"))
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"crashlab: error: no results at {tmp_path / 'nope'}:")
    assert result.stderr.count("\n") == 1


def _choice(scenario_id, choice_id):
    from runner.catalog import load_catalog

    return load_catalog(manifests=False).scenario(scenario_id).question("cause").choice(choice_id).text


def test_the_header_count_agrees_with_the_files_listed(mixed):
    folder, roster = mixed
    report = grade_paths([folder], KEY, read_roster(roster))
    page = to_html(report)
    listed = page.split("<h2>Files to look at</h2>")[1].count("<li>")
    assert listed == len(report.flags) and listed > 1
    assert f"<b>{listed}</b><span>files to look at" in page
    assert f"<p>{listed} files to look at (" in page
    result = run_cli("grade", str(folder), "--roster", str(roster), "--no-files", environ=ENV)
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "files to look at" in line)
    count = int(header.split()[0])
    kinds = ("tampered", "invalid", "unsigned", "unverified", "duplicate", "missing", "live-failed")
    flag_lines = [line for line in lines[lines.index(header) + 1:] if line.split() and line.split()[0] in kinds]
    assert count == len(flag_lines)


def test_wrong_answers_show_the_choice_text_not_the_id(mixed):
    folder, roster = mixed
    report = grade_paths([folder], KEY)
    text = _choice("invalid-user", "app_config")
    page = to_html(report)
    assert text.replace('"', "&quot;") in page or text in page
    assert "<b>app_config</b>" not in page and "app_config ×" not in page
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    grace = next(r for r in rows if r["participant"] == "grace" and r["scenario"] == "invalid-user")
    assert grace["wrong_answers"] == "app_config" and grace["wrong_answer_texts"] == text
    result = run_cli("grade", str(folder), "--no-files", environ=ENV)
    assert text in " ".join(result.stdout.split())
    assert "app_config on" not in result.stdout


def test_every_column_is_explained_and_reset_or_revealed_scenarios_are_marked(tmp_path):
    folder = tmp_path / "results"
    entry = classdata.scenario_entry("ada", "oom-killed", revealed=True)  # fixed, with the solution
    again = classdata.scenario_entry("ada", "bad-command")
    again["resets"] = [{"at": classdata.at(10), "status": "fixing"}]
    classdata.write(folder / "lab-3-ada.json", classdata.record("ada", [again, entry]), KEY)
    report = grade_paths([folder], KEY)
    assert report.row("ada", "bad-command").resets == 1 and report.row("ada", "oom-killed").revealed
    page = to_html(report)
    assert "reset ×1" in page and "solution shown" in page
    for column in ("reached", "cause first time", "median diagnose", "median fix", "wrong answers"):
        assert f"{column}:" in page  # each column of the figures table has its line in the legend
    result = run_cli("grade", str(folder), "--no-files", environ={**ENV, "COLUMNS": "250"})
    out = result.stdout
    assert "reset x1" in out and "solution shown" in out
    for column in ("fixed:", "alone:", "1st try:", "revealed:", "median diagnose:", "median fix:",
                   "hints:", "each cell:"):
        assert column in out
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    resets = {r["scenario"]: r["resets"] for r in rows}
    assert resets["bad-command"] == "1" and resets["oom-killed"] == "0"
