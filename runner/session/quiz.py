"""Quiz turns, pure: judge an answer, give its feedback, and quote the learner's own pod."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from runner.catalog import Question
from runner.podfacts import container_status

QUESTIONS = ("cause", "evidence")


@dataclass(frozen=True)
class Judgement:
    question: str
    answer: str
    correct: bool
    feedback: str
    known: bool = True


def shuffled(question: Question, seed: str) -> Question:
    """The question with its choices in an order fixed by `seed` (participant and scenario):
    the catalogue lists the right answer first, and neighbours should not share positions,
    but one learner sees the same order on every try and after a resume."""
    def rank(choice):
        return hashlib.sha256(f"{seed}/{question.id}/{choice.id}".encode()).hexdigest()

    return dataclasses.replace(question, choices=tuple(sorted(question.choices, key=rank)))


def judge(question: Question, answer: str) -> Judgement:
    choice = question.choice(answer)
    if choice is None:
        ids = ", ".join(c.id for c in question.choices)
        return Judgement(question.id, answer, False, f"{answer!r} is not one of: {ids}", False)
    return Judgement(question.id, answer, choice.correct, choice.feedback)


def own_pod_line(pod: dict | None, container: str, evidence: tuple[str, ...] = ()) -> str:
    """One line about the learner's own pod, e.g. "your container's last state was OOMKilled,
    exit code 137 (restarted 4 times)"."""
    if not pod:
        return "your pod has not reported a status yet: run kubectl get pods to see it"
    status = container_status(pod, container) or {}
    last = (status.get("lastState") or {}).get("terminated") or {}
    state = status.get("state") or {}
    name = (pod.get("metadata") or {}).get("name", "your pod")
    parts = []
    if last:
        parts.append(f"your container's last state was {last.get('reason', 'Terminated')}, "
                     f"exit code {last.get('exitCode', '?')}")
    elif state.get("waiting"):
        parts.append(f"your container is waiting: {state['waiting'].get('reason', '')}")
    elif state.get("running"):
        parts.append("your container is running")
    restarts = status.get("restartCount")
    if restarts:
        parts.append(f"restarted {restarts} time{'s' if restarts != 1 else ''}")
    line = f"{name}: " + ", ".join(parts) if parts else f"{name}: no container status yet"
    if evidence:
        line += f" — {evidence[0]}"
    return line
