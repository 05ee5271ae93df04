"""Answers files are checked against the catalogue before anything is deployed."""

import dataclasses
from pathlib import Path

import pytest

from runner.catalog import load_catalog
from runner.errors import EXIT_BAD_INPUT, InputError
from runner.session.answercheck import answer_problems
from runner.session.askers import ScriptedAsker, load_answers

ROOT = Path(__file__).resolve().parents[2]
LAB = load_catalog(ROOT).lab_scenarios("lab-3")
IDS = "bad-command, oom-killed, invalid-app-config, invalid-user, failing-liveness-probe"
OOM_CAUSES = "app_config, evicted, exits_zero, liveness_probe, oom_killed"
OOM_EVIDENCE = "limits, logs-error, oom-event, oomkilled-137"


def _problems(answers: dict) -> list[str]:
    return answer_problems(ScriptedAsker(answers, "a.yaml").answers, LAB, "a.yaml")


def test_right_wrong_and_partial_answers_pass():
    assert _problems({"oom-killed": {"cause": ["app_config", "oom_killed"],
                                     "evidence": "oomkilled-137", "menu": ["hint", "quiz"]},
                      "bad-command": "bad_command"}) == []


@pytest.mark.parametrize("answers, problems", [
    ({"bad-comand": "bad_command"},
     [f"a.yaml: bad-comand: no such scenario in this lab (it has {IDS})"]),
    ({"oom-killed": {"cause": "oom"}},
     [f'a.yaml: oom-killed.cause: "oom" is not one of the choices ({OOM_CAUSES})']),
    ({"oom-killed": {"cause": "oom_killed", "evidence": ["exit-137", "oomkilled-137", "x"]}},
     [f'a.yaml: oom-killed.evidence: "exit-137" is not one of the choices ({OOM_EVIDENCE})',
      f'a.yaml: oom-killed.evidence: "x" is not one of the choices ({OOM_EVIDENCE})']),
    ({"oom-killed": {"cause": 137}},
     [f'a.yaml: oom-killed.cause: "137" is not one of the choices ({OOM_CAUSES})']),
])
def test_every_unknown_scenario_or_choice_is_named_with_file_and_key(answers, problems):
    assert _problems(answers) == problems


def test_a_question_the_scenario_does_not_ask_is_named():
    scenario = LAB[0]
    only_cause = dataclasses.replace(scenario, questions=scenario.questions[:1])
    answers = ScriptedAsker({scenario.id: {"cause": "bad_command", "evidence": "exec-message"}},
                            "a.yaml").answers
    assert answer_problems(answers, [only_cause], "a.yaml") == [
        f"a.yaml: {scenario.id}.evidence: {scenario.id} has no question evidence (it asks cause)"]


def test_load_answers_stops_at_the_first_problem_and_counts_the_rest(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("bad-comand: bad_command\noom-killed: {cause: oom}\n")
    with pytest.raises(InputError) as caught:
        load_answers(path, LAB)
    assert str(caught.value) == (f"{path}: bad-comand: no such scenario in this lab (it has {IDS})"
                                 " (and 1 more)")
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert load_answers(path).answers["bad-comand"] == {"cause": ["bad_command"]}  # unchecked
