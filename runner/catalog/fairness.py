"""Fair questions: the right choice is not findable by its length or by being the only concrete one.

Pure. A choice is *concrete* when it quotes something kubectl can show for a real pod: a
container or event Reason, an exit code, a field or column name as kubectl prints it, or a
quoted message.
"""

from __future__ import annotations

import re

from runner.catalog.model import Question, Scenario

Problem = tuple[str, str]

# Reasons kubelet/containerd report in container states and pod events (pod-status-facts.md).
REASONS = ("CrashLoopBackOff", "OOMKilled", "Error", "Completed", "StartError", "ContainerCannotRun",
           "RunContainerError", "CreateContainerConfigError", "CreateContainerError", "ErrImagePull",
           "ImagePullBackOff", "Evicted", "Unhealthy", "Killing", "BackOff", "Failed", "FailedMount",
           "Started", "Created", "Pulled", "ContainerCreating", "PodInitializing")
# Fields as `kubectl describe`, `get -o yaml` and `get pods` print them.
FIELDS = ("Last State", "State", "Reason", "Exit Code", "Message", "Restart Count", "Ready",
          "Limits", "Requests", "Events", "Status", "lastState", "restartCount", "exitCode",
          "securityContext", "runAsNonRoot", "runAsUser", "livenessProbe", "readinessProbe", "data",
          "READY", "STATUS", "RESTARTS")

_REASON = re.compile(r"\b(" + "|".join(REASONS) + r")\b")
_FIELD = re.compile(r"\b(" + "|".join(re.escape(f) for f in FIELDS) + r")\b")
_EXIT_CODE = re.compile(r"\b(exit code|exitCode):? \d+\b", re.I)
_QUOTED = re.compile(r'"[^"]{3,}"')

# Labs whose questions are not rewritten yet: their choices are not checked at load. Give each
# a strict xfail in tests/unit/test_fairness.py, which fails as soon as the lab passes, so that
# its entry here gets removed. None is pending now.
PENDING_LABS: tuple[str, ...] = ()

LONGEST_SHARE = 1 / 3  # the right choice may be the longest in at most this share of a lab's questions


def concrete_token(text: str) -> str | None:
    """What a pod could show that `text` quotes (a Reason, exit code, field or message), or None."""
    for pattern in (_QUOTED, _EXIT_CODE, _REASON, _FIELD):
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


def is_longest(question: Question) -> bool:
    """True when no choice is longer than the right one (a tie counts: a guesser might pick it)."""
    return len(question.answer.text) >= max(len(choice.text) for choice in question.choices)


def choice_problems(scenario: Scenario) -> list[Problem]:
    """(dotted path, message) for every choice that quotes nothing a pod shows."""
    return [(f"spec.quiz.{question.id}.choices[{index}].text",
             f"{choice.text!r} quotes nothing a pod shows; name a Reason (OOMKilled, Error...), an "
             "exit code, a field (Last State, READY...) or a quoted message, as the other choices do")
            for question in scenario.questions for index, choice in enumerate(question.choices)
            if concrete_token(choice.text) is None]


def longest_problems(scenarios: list[Scenario]) -> list[Problem]:
    """One problem when the right choice is the longest in more than a third of the questions."""
    questions = [(scenario, question) for scenario in scenarios for question in scenario.questions]
    longest = [f"{scenario.id}.{question.id}" for scenario, question in questions if is_longest(question)]
    allowed = int(len(questions) * LONGEST_SHARE)
    if len(longest) <= allowed:
        return []
    return [("spec.scenarios", f"the right choice is the longest in {len(longest)} of {len(questions)} "
             f"questions ({', '.join(longest)}); at most {allowed} may be: shorten the answer or "
             "make a distractor as detailed")]


def chance_score(scenarios: list[Scenario]) -> float:
    """The expected first-try score of someone guessing at random."""
    return sum(1 / len(question.choices) for scenario in scenarios for question in scenario.questions)
