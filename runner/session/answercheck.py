"""Check a scripted answers file against the catalogue before anything is deployed (pure).

    problems = answer_problems(asker.answers, catalog.lab_scenarios("lab-3"), "answers.yaml")

Every problem names the file and the dotted key: `answers.yaml: bad-comand: no such scenario
...`, `answers.yaml: oom-killed.cause: "oom" is not one of the choices (...)`.
"""

from __future__ import annotations

# Keys of an answer that are actions, not quiz questions (checked when the file is read).
ACTION_KEYS = ("menu", "fix")


def answer_problems(answers: dict, scenarios, source: str) -> list[str]:
    """Every key or choice in `answers` (scenario id -> {question id: [tries], menu, fix})
    that the lab's `scenarios` do not have."""
    by_id = {scenario.id: scenario for scenario in scenarios}
    known = ", ".join(by_id) or "none"
    problems = []
    for scenario_id, keys in answers.items():
        scenario = by_id.get(scenario_id)
        if scenario is None:
            problems.append(f"{source}: {scenario_id}: no such scenario in this lab "
                            f"(it has {known})")
            continue
        questions = {question.id: question for question in scenario.questions}
        for key, tries in keys.items():
            if key in ACTION_KEYS:
                continue
            question = questions.get(key)
            if question is None:
                problems.append(f"{source}: {scenario_id}.{key}: {scenario_id} has no question "
                                f"{key} (it asks {', '.join(questions)})")
                continue
            # Sorted: the catalogue lists the right choice first.
            choices = ", ".join(sorted(choice.id for choice in question.choices))
            problems += [f'{source}: {scenario_id}.{key}: "{answer}" is not one of the '
                         f"choices ({choices})"
                         for answer in tries if question.choice(str(answer)) is None]
    return problems
