"""The catalogue as plain, immutable data: labs, scenarios, quizzes, expectations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SCENARIO_API_VERSION = "crashlab.dev/v1alpha1"

# The causes a scenario can teach, and the look-alikes its quiz may offer as distractors.
# CAUSES are the workshop's five samples (lab-3); MORE_CAUSES the other causes its text names.
CAUSES = ("bad_command", "oom_killed", "app_config", "permissions", "liveness_probe")
MORE_CAUSES = ("slow_start", "probe_timeout", "missing_credentials", "dependency_unreachable",
               "service_account")
LOOK_ALIKES = ("image_pull", "missing_config", "readiness_probe", "exits_zero", "node_pressure")
ALL_CAUSES = CAUSES + MORE_CAUSES + LOOK_ALIKES
# What a scenario may teach: every cause, and the look-alikes that have a scenario of their own.
TEACHABLE = CAUSES + MORE_CAUSES + ("exits_zero", "readiness_probe")

# The diagnose engine (runner.diagnose) names fewer, coarser causes: a teaching cause that is a
# special case of one of them is diagnosed as that one. Causes not listed diagnose as themselves.
DIAGNOSED_AS = {
    "slow_start": "liveness_probe",
    "probe_timeout": "liveness_probe",
    "missing_credentials": "app_config",
    "dependency_unreachable": "app_config",
    "service_account": "permissions",
}


def diagnosed_cause(cause: str) -> str:
    """The runner.diagnose cause that a scenario teaching `cause` must be diagnosed as."""
    return DIAGNOSED_AS.get(cause, cause)


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    choices: tuple[Choice, ...]

    @property
    def answer(self) -> Choice:
        return next(choice for choice in self.choices if choice.correct)

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)


@dataclass(frozen=True)
class Workload:
    kind: str
    name: str
    container: str


@dataclass(frozen=True)
class Guard:
    """A forbidden-fix check: the fix must keep what the lesson is about."""

    id: str
    says: str
    object: str  # "Pod" (the live pod of the workload) or "Kind/name" of a rendered object
    check: dict


@dataclass(frozen=True)
class Symptom:
    summary: str
    pod: dict
    events: tuple[dict, ...] = ()
    logs: tuple[str, ...] = ()
    within_seconds: int = 120


@dataclass(frozen=True)
class Fixed:
    pod: dict
    min_stable_seconds: int = 10


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    cause: str
    sample: int | None  # the workshop's sample number; None for causes its text names only
    story: str
    workload: Workload
    broken_template: str
    solution_template: str
    symptom: Symptom
    questions: tuple[Question, ...]
    hints: tuple[str, ...]
    explanation: str
    fixed: Fixed
    guards: tuple[Guard, ...]
    kubectl: tuple[str, ...] = ()
    path: Path | None = None

    def question(self, question_id: str) -> Question:
        return next(question for question in self.questions if question.id == question_id)

    @property
    def diagnosed_cause(self) -> str:
        """The cause `crashlab diagnose` reports for this scenario's broken pod."""
        return diagnosed_cause(self.cause)


@dataclass(frozen=True)
class Lab:
    id: str
    title: str
    intro: str
    scenario_ids: tuple[str, ...]
    path: Path | None = None


@dataclass(frozen=True)
class Catalog:
    labs: dict[str, Lab] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)

    def lab(self, lab_id: str) -> Lab:
        from runner.errors import UsageError

        if lab_id not in self.labs:
            raise UsageError(f"no lab {lab_id!r}; available: {', '.join(sorted(self.labs)) or 'none'}")
        return self.labs[lab_id]

    def scenario(self, scenario_id: str) -> Scenario:
        from runner.errors import UsageError

        if scenario_id not in self.scenarios:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise UsageError(f"no scenario {scenario_id!r}; available: {known} (see: crashlab list)")
        return self.scenarios[scenario_id]

    def lab_scenarios(self, lab_id: str) -> list[Scenario]:
        return [self.scenarios[sid] for sid in self.lab(lab_id).scenario_ids]
