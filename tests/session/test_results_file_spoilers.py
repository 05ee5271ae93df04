"""The learner's results file before a quiz: `cat results/lab-3-<name>.json` names no cause and
no scenario id (records.for_learner); it still verifies, resumes and grades."""

import json

import pytest

from runner.catalog.spoilers import written_record_problems
from runner.results import schema_problems
from tests.cli.helpers import run_cli
from tests.session.helpers import CATALOG, PARTICIPANT, RIGHT, Lab, namespace

KEY = "class-key"
LAB3 = CATALOG.lab_scenarios("lab-3")


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def _names_no_cause(text: str, scenarios) -> None:
    for scenario in scenarios:
        assert f'"{scenario.id}"' not in text, scenario.id
        assert f'"{scenario.cause}"' not in text, scenario.cause
    if text.lstrip().startswith("{"):
        assert written_record_problems(text, scenarios) == []


def test_quitting_before_the_quiz_leaves_a_file_that_names_no_cause(lab, k8s_api):
    keyed = {**k8s_api.environ, "CRASHLAB_GRADING_KEY": KEY}
    answers = {**RIGHT, "bad-command": {**RIGHT["bad-command"], "menu": ["hint", "quit"]}}
    quit_ = run_cli("run", "lab-3", "--context", k8s_api.context, "--participant", PARTICIPANT,
                    "--answers", str(lab.answers(answers)), "--yes",
                    "--stability-window", "1", "--results", str(lab.root / "results"),
                    "--workspace", str(lab.root / "workspace"), environ=keyed)
    assert quit_.code == 0, quit_.stderr
    text = lab.results.read_text()
    _names_no_cause(text, LAB3)
    record = json.loads(text)
    assert schema_problems(record) == []
    assert [e["id"] for e in record["scenarios"]] == [s.slug for s in LAB3]
    assert [e["namespace"] for e in record["scenarios"]] == [namespace(s.id) for s in LAB3]
    first = record["scenarios"][0]
    assert first["status"] == "investigating" and first["hintsShown"] == 1 and first["symptom"]
    verified = run_cli("results", "verify", str(lab.results), "--key-env",
                       "CRASHLAB_GRADING_KEY", environ=keyed)
    assert verified.code == 0, verified.stdout + verified.stderr
    # nothing printed before the quiz names it either
    _names_no_cause(quit_.stdout.replace(str(lab.root), ""), LAB3[:1])

    resumed = run_cli("run", "lab-3", "--context", k8s_api.context, "--participant",
                      PARTICIPANT, "--answers", str(lab.answers()), "--solve", "--yes",
                      "--stability-window", "1", "--results", str(lab.root / "results"),
                      "--workspace", str(lab.root / "workspace"), environ=keyed)
    assert resumed.code == 0, resumed.stderr
    assert "Resuming lab-3 for ada at 1 · storefront." in resumed.stdout
    record = lab.record()
    assert [(e["id"], e["cause"]) for e in record["scenarios"]] == [(s.id, s.cause) for s in LAB3]
    first = record["scenarios"][0]
    assert first["hintsShown"] == 1 and first["status"] == "revealed", "the earlier work is kept"
    graded = run_cli("grade", str(lab.root / "results"), "--key-env", "CRASHLAB_GRADING_KEY",
                     "--csv", str(lab.root / "c.csv"), environ=keyed)
    assert graded.code == 0, graded.stderr
    rows = (lab.root / "c.csv").read_text().splitlines()[1:]
    assert sorted(row.split(",")[2] for row in rows) == sorted(s.id for s in LAB3)


def test_a_file_written_with_every_cause_before_still_verifies_resumes_and_grades(lab, k8s_api):
    from runner import results
    from runner.results import records

    rows = [(s.id, s.cause, namespace(s.id)) for s in LAB3]
    old = records.new_record("lab-3", PARTICIPANT, rows)   # as the lab wrote it until now
    records.start(old["scenarios"][0])
    lab.results.parent.mkdir(parents=True)
    lab.results.write_text(json.dumps(results.sign_results(old, KEY)))
    keyed = {**k8s_api.environ, "CRASHLAB_GRADING_KEY": KEY}
    verified = run_cli("results", "verify", str(lab.results), "--key-env",
                       "CRASHLAB_GRADING_KEY", environ=keyed)
    assert verified.code == 0, verified.stdout + verified.stderr

    answers = {"bad-command": {**RIGHT["bad-command"], "menu": ["quit"]}}
    again = run_cli("run", "lab-3", "--context", k8s_api.context, "--participant", PARTICIPANT,
                    "--answers", str(lab.answers(answers)), "--yes", "--only", "bad-command",
                    "--results", str(lab.root / "results"),
                    "--workspace", str(lab.root / "workspace"), environ=keyed)
    assert again.code == 0, again.stderr
    assert "Resuming lab-3 for ada at 1 · storefront." in again.stdout
    _names_no_cause(lab.results.read_text(), LAB3)   # rewritten by the one rule
