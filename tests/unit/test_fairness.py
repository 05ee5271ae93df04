"""Fair questions: neither length nor vagueness gives the right choice away."""

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from runner.catalog import load_catalog
from runner.catalog.fairness import (chance_score, choice_problems, concrete_token, is_longest,
                                     longest_problems)
from runner.errors import CatalogError
from runner.session.quiz import judge, shuffled

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT)


def _play(lab_id, pick, participant="ada"):
    """First-try score of a player who picks by `pick` among the choices as shown."""
    score = 0
    for scenario in CATALOG.lab_scenarios(lab_id):
        for question in scenario.questions:
            shown = shuffled(question, f"{participant}/{scenario.id}")
            score += judge(shown, pick(shown.choices).id).correct
    return score


@pytest.mark.parametrize("participant", ["ada", "grace", "linus"])
def test_choosing_the_longest_choice_every_time_does_no_better_than_chance(participant):
    scenarios = CATALOG.lab_scenarios("lab-3")
    chance = chance_score(scenarios)
    assert chance == pytest.approx(5 * (1 / 5 + 1 / 4))  # five questions of 5 choices, five of 4
    longest = _play("lab-3", lambda choices: max(choices, key=lambda c: len(c.text)), participant)
    shortest = _play("lab-3", lambda choices: min(choices, key=lambda c: len(c.text)), participant)
    assert longest <= chance and shortest <= chance, (longest, shortest, chance)


def test_the_right_choice_is_the_longest_in_at_most_a_third_of_the_questions():
    scenarios = CATALOG.lab_scenarios("lab-3")
    questions = [q for s in scenarios for q in s.questions]
    assert sum(is_longest(q) for q in questions) <= len(questions) / 3
    assert longest_problems(scenarios) == []


@pytest.mark.parametrize("scenario_id", list(CATALOG.lab("lab-3").scenario_ids))
def test_every_choice_quotes_something_a_pod_shows(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    assert choice_problems(scenario) == []
    for question in scenario.questions:
        assert all(concrete_token(choice.text) for choice in question.choices)


def test_what_counts_as_concrete():
    assert concrete_token("Reason OOMKilled") == "OOMKilled"
    assert concrete_token("it exits with exit code 1") == "exit code 1"
    assert concrete_token('the logs say "Permission denied"') == '"Permission denied"'
    assert concrete_token("READY 0/1 in kubectl get pods") == "READY"
    # the vague distractors of before: nothing a pod could show
    for vague in ("The image cannot be pulled from the registry", "A liveness probe kills the container",
                  "It runs out of memory"):
        assert concrete_token(vague) is None


def test_a_lab_whose_answers_are_all_the_longest_is_refused(tmp_path):
    scenarios = CATALOG.lab_scenarios("lab-3")
    padded = [dataclasses.replace(s, questions=tuple(
        dataclasses.replace(q, choices=tuple(dataclasses.replace(c, text=c.text + " " * 200 * c.correct)
                                             for c in q.choices)) for q in s.questions)) for s in scenarios]
    [(path, message)] = longest_problems(padded)
    assert path == "spec.scenarios"
    assert message.startswith("the right choice is the longest in 10 of 10 questions (bad-command.cause,")
    assert "at most 3 may be" in message


def test_a_vague_choice_fails_validation_with_its_path(tmp_path):
    for folder in ("labs", "scenarios", "manifests"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    path = tmp_path / "scenarios" / "oom-killed.yaml"
    data = yaml.safe_load(path.read_text())
    data["spec"]["quiz"]["cause"]["choices"][3]["text"] = "The node itself is out of memory and evicts pods"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CatalogError) as raised:
        load_catalog(tmp_path)
    assert any(problem.startswith(f"{path}: spec.quiz.cause.choices[3].text: 'The node itself is out of "
                                  "memory and evicts pods' quotes nothing a pod shows")
               for problem in raised.value.problems)


@pytest.mark.parametrize("lab_id", ["lab-3-plus"])
def test_the_other_labs_are_fair_too(lab_id):
    scenarios = CATALOG.lab_scenarios(lab_id)
    assert all(choice_problems(scenario) == [] for scenario in scenarios)
    assert longest_problems(scenarios) == []
