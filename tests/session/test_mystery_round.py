"""`crashlab run lab-3 --mystery 4 --answers ... --solve --yes` end to end against the API
emulator and the test kubelet, and `crashlab grade` on its results."""

import json

import pytest
import yaml

from runner import mystery
from runner.diagnose.model import NAMES, Diagnosis
from runner.results import schema_problems
from runner.session import feedback
from tests.cli.helpers import run_cli
from tests.session.helpers import CATALOG, PARTICIPANT

SEED = "class-b"


@pytest.fixture
def draw():
    drawn = mystery.draw_scenarios(CATALOG, 4, SEED)
    labs = {CATALOG.labs[row["lab"]].id for row in drawn.as_record(CATALOG)["draw"]}
    assert labs == {"lab-3", "lab-3-plus"}  # the seed is chosen to draw from both labs
    return drawn


def right_answers(drawn, wrong_first: str | None = None) -> dict:
    answers = {}
    for index, sid in enumerate(drawn.scenario_ids):
        scenario = CATALOG.scenario(sid)
        cause = [scenario.cause]
        if index == 0 and wrong_first:
            cause.insert(0, wrong_first)
        answers[drawn.mystery_id(index)] = {
            "cause": cause, "evidence": scenario.question("evidence").answer.id}
    return answers


def run_round(tmp_path, k8s_api, answers: dict, *extra: str):
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers))
    return run_cli("run", "lab-3", "--mystery", "4", "--seed", SEED, "--context",
                   k8s_api.context, "--participant", PARTICIPANT, "--answers", str(path),
                   "--solve", "--yes", "--stability-window", "1",
                   "--results", str(tmp_path / "results"),
                   "--workspace", str(tmp_path / "workspace"), *extra, environ=k8s_api.environ)


def test_a_mystery_round_runs_end_to_end_and_grades(tmp_path, k8s_api, kubelet, draw):
    wrong = next(c for c in ("evicted", "image_pull")
                 if c != CATALOG.scenario(draw.scenario_ids[0]).cause)
    answers = right_answers(draw, wrong_first=wrong)
    answers["mystery-1"]["menu"] = ["evidence", "quiz"]
    result = run_round(tmp_path, k8s_api, answers)

    assert result.code == 0, result.stderr
    out = result.stdout
    # before the quiz the menu shows where to look, never a cause (issue #11); the evidence
    # panel (after the cause question) names the cause in words (runner.diagnose CAUSE_TABLE)
    found = CATALOG.scenario(draw.scenario_ids[0]).diagnosed_cause
    assert "--- where to look: " in out and "Cause: " not in out.split("✓ ", 1)[0]
    panel = feedback.diagnosis_lines(Diagnosis(found, "high"), [])
    assert f"Cause: {NAMES[found]} (" in panel[0] and f"Cause: {found} (" not in panel[0]
    assert "Deploying 4 broken scenario(s): 4 deployed, 0 already there" in out
    for index, sid in enumerate(draw.scenario_ids):
        scenario = CATALOG.scenario(sid)
        assert f"Mystery {index + 1}: {scenario.workload.name} (mystery-{index + 1})" in out
        # neither the catalogue title nor the scenario's own commands before its quiz
        heading = out.index(f"Mystery {index + 1}: {scenario.workload.name}")
        assert scenario.sample_title not in out[:heading + 200]
        assert f"in crashlab-{PARTICIPANT}-mystery-{index + 1} stayed Ready" in out
    # played in the drawn order
    positions = [out.index(f"(mystery-{n})") for n in range(1, 5)]
    assert positions == sorted(positions)

    record = json.loads((tmp_path / "results" / f"mystery-{PARTICIPANT}.json").read_text())
    assert record["lab"] == "mystery"
    assert schema_problems(record) == []
    bad = dict(record, mystery={"seed": "", "count": 0, "draw": [{"id": "Mystery 1"}]})
    assert len(schema_problems(bad)) >= 3   # the schema does check the new field
    assert record["mystery"] == draw.as_record(CATALOG)
    assert [e["id"] for e in record["scenarios"]] == [f"mystery-{n}" for n in range(1, 5)]
    assert [e["namespace"] for e in record["scenarios"]] == \
        [f"crashlab-{PARTICIPANT}-mystery-{n}" for n in range(1, 5)]
    first = record["scenarios"][0]["quiz"]["cause"]["attempts"]
    assert [(a["answer"], a["correct"]) for a in first] == \
        [(wrong, False), (CATALOG.scenario(draw.scenario_ids[0]).cause, True)]
    # the normal lab's results file and namespaces are untouched
    assert not (tmp_path / "results" / f"lab-3-{PARTICIPANT}.json").exists()

    graded = run_cli("grade", str(tmp_path / "results"), "--csv", str(tmp_path / "c.csv"),
                     environ={})
    assert graded.code == 0, graded.stderr
    rows = (tmp_path / "c.csv").read_text().splitlines()
    mine = [row for row in rows[1:] if row.startswith(f"{PARTICIPANT},mystery,")]
    assert len(mine) == 4
    assert any(f",mystery-1," in row for row in mine)
    # the wrong first answer reads in words in the report
    assert mystery.CAUSE_TEXTS[wrong] in next(row for row in mine if ",mystery-1," in row)


def test_a_second_run_resumes_the_same_round(tmp_path, k8s_api, kubelet, draw):
    assert run_round(tmp_path, k8s_api, right_answers(draw)).code == 0
    again = run_round(tmp_path, k8s_api, right_answers(draw))
    assert again.code == 0, again.stderr
    assert "Every scenario of mystery is done for ada" in again.stdout


def test_another_seed_on_a_started_round_is_one_line_and_names_the_way_on(tmp_path, k8s_api,
                                                                          kubelet, draw):
    assert run_round(tmp_path, k8s_api, right_answers(draw)).code == 0
    other = mystery.draw_scenarios(CATALOG, 4, "other")
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(right_answers(other)))
    result = run_cli("run", "lab-3", "--mystery", "4", "--seed", "other", "--context",
                     k8s_api.context, "--participant", PARTICIPANT, "--answers", str(path),
                     "--solve", "--yes", "--results", str(tmp_path / "results"),
                     environ=k8s_api.environ)
    assert result.code == 2
    assert result.stderr.strip() == (
        f"crashlab: error: {tmp_path / 'results' / 'mystery-ada.json'} holds another mystery "
        f"round (seed {SEED}): resume it with that seed, or move the file away to start a "
        "new round")


@pytest.mark.parametrize("argv, message", [
    (["--mystery", "0"], "--mystery 0 must be between 1 and 12 (the scenarios of every lab)"),
    (["--mystery", "13"], "--mystery 13 must be between 1 and 12 (the scenarios of every lab)"),
    (["--seed", "x"], "--seed draws a mystery round: add --mystery N"),
    (["--mystery", "2", "--seed", "a b"], "--seed 'a b': use letters, digits, '.', '_' or '-' "
                                          "(at most 64)"),
    (["--mystery", "2", "--only", "oom-killed"], "--only picks a scenario of a lab; a mystery "
                                                "round draws its own: drop --only"),
])
def test_bad_mystery_flags_are_one_line(argv, message):
    result = run_cli("run", "lab-3", *argv, "--participant", "ada", environ={})
    assert result.code == 2 and result.stderr.strip() == f"crashlab: error: {message}"
