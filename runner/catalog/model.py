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
# `evicted` is runner.diagnose's id for the same look-alike (node pressure); one id for both.
LOOK_ALIKES = ("image_pull", "missing_config", "readiness_probe", "exits_zero", "evicted")
ALL_CAUSES = CAUSES + MORE_CAUSES + LOOK_ALIKES
# Cause ids that were renamed: what older results and answer files say -> the id now.
RENAMED_CAUSES = {"node_pressure": "evicted"}


def current_cause_id(cause: str) -> str:
    """`cause` as the catalogue names it now (an older file may carry a renamed id)."""
    return RENAMED_CAUSES.get(cause, cause)
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

# Words that name or hint at a taught cause. Nothing a learner sees before the quiz may
# contain one (runner.catalog.spoilers); a word matches at the start of a word, any case.
CAUSE_WORDS = {
    "bad_command": ("bad-command", "bad_command", "command", "entrypoint", "exec", "starterror",
                    "not found", "$path", "script", "binary"),
    "oom_killed": ("oom", "kill", "memory", "limit", "working set", "mib", "137", "resources"),
    "app_config": ("app-config", "app_config", "config", "setting", "placeholder", "propert",
                   "backend", "database", "wiring", "misspel", "typo", "invalid"),
    "permissions": ("permission", "denied", "eacces", "runas", "securitycontext", "security",
                    "uid", "user", "root", "non-root", "1234", "10001", "privilege", "invalid"),
    "liveness_probe": ("liveness", "probe", "health", "unhealthy", "404", "killing"),
    "slow_start": ("slow", "warm", "startup", "start-up probe", "initialdelay", "probe", "liveness"),
    "probe_timeout": ("timeout", "time out", "timed out", "probe", "slow", "liveness"),
    "missing_credentials": ("credential", "secret", "password", "missing"),
    "dependency_unreachable": ("unreachable", "refused", "selector", "dependency"),
    "service_account": ("serviceaccount", "service account", "rbac", "forbidden", "role"),
    "exits_zero": ("exit 0", "exits 0", "completed", "one-shot", "oneshot", "restartpolicy"),
    "readiness_probe": ("readiness", "probe", "404"),
}

# The workshop's flowchart for any workload, before the quiz ({namespace} filled in later).
_INVESTIGATE = (
    "kubectl get pods -n {{namespace}} -w",
    "kubectl describe pod -n {{namespace}} -l app={name}",
    "kubectl logs -n {{namespace}} deploy/{name} --previous",
    "kubectl get events -n {{namespace}} --sort-by=.lastTimestamp",
)


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
    """One broken service. Before the quiz only `title`, `story`, `investigate`, `slug` and `key`
    are shown; `sample_title` and `targeted` (the workshop's walkthrough) come after it."""

    id: str
    sample_title: str
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
    targeted: tuple[str, ...] = ()
    path: Path | None = None

    @property
    def slug(self) -> str:
        """The neutral, DNS-safe name (the service's), unique across the catalogue."""
        return self.workload.name

    @property
    def key(self) -> str:
        """An opaque, stable scenario key for labels and annotations: a hash of the slug,
        so it carries no word of the cause (hex digits cannot spell one)."""
        from runner.placement import scenario_key

        return scenario_key(self.slug)

    def heading(self, number: int | None = None) -> str:
        """`2 · report-builder`: the number in the lab (default: the sample's) and the service."""
        number = self.sample if number is None else number
        return self.slug if number is None else f"{number} · {self.slug}"

    @property
    def title(self) -> str:
        return self.heading()

    @property
    def investigate(self) -> tuple[str, ...]:
        """The generic flowchart commands for this workload ({namespace} still to fill in)."""
        return tuple(command.format(name=self.workload.name) for command in _INVESTIGATE)

    @property
    def kubectl(self) -> tuple[str, ...]:
        """The scenario's targeted commands: for "what happened" and --guided, after the quiz."""
        return self.targeted

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
    slugs: dict = field(default_factory=dict, compare=False)  # scenario id -> slug (loader)

    def slug(self, scenario_id: str) -> str:
        """The neutral slug of one of this lab's scenarios (its namespace and files' name)."""
        return self.slugs.get(scenario_id, scenario_id)

    def key(self, scenario_id: str) -> str:
        """The opaque key that labels one of this lab's scenarios' objects."""
        from runner.placement import scenario_key

        return scenario_key(self.slug(scenario_id))


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
        """A scenario by its id or its neutral slug (what `crashlab list` shows)."""
        from runner.errors import UsageError

        by_slug = {scenario.slug: scenario for scenario in self.scenarios.values()}
        if scenario_id not in self.scenarios and scenario_id in by_slug:
            return by_slug[scenario_id]
        if scenario_id not in self.scenarios:
            # The slugs, as `crashlab list` shows them: the ids name the causes.
            known = ", ".join(sorted(by_slug)) or "none"
            raise UsageError(f"no scenario {scenario_id!r}; available: {known} (see: crashlab list)")
        return self.scenarios[scenario_id]

    def lab_scenarios(self, lab_id: str) -> list[Scenario]:
        return [self.scenarios[sid] for sid in self.lab(lab_id).scenario_ids]
