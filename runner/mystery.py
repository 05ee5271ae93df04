"""The mystery round, pure: N scenarios drawn from every lab, each neutral, with one cause
question offering every cause and look-alike of the catalogue.

    draw = draw_scenarios(catalog, 4, seed)          # the same seed gives the same draw
    catalog = mystery_catalog(catalog, draw)         # a lab "mystery" of neutral scenarios

The draw depends on the seed only, so `--seed S` gives a whole class the same scenarios
in the same order; without it the CLI makes a fresh seed per participant and records it.
Each mystery scenario is the catalogue's scenario renamed `mystery-<n>` (its namespace,
labels and workspace folder are then neutral and never those of the normal lab), with a
neutral title, story and command list; its hints, fix check and guards are the original's.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from runner.catalog.model import ALL_CAUSES, Catalog, Choice, Lab, Question, Scenario

LAB_ID = "mystery"
DEFAULT_COUNT = 4

# One neutral statement per cause, all of the same length and phrased alike, so neither
# wording nor length points at the one that is right (tests/unit/test_mystery.py).
CAUSE_TEXTS = {
    "bad_command": "The command the container starts with cannot be executed",
    "oom_killed": "The container needs more memory than its limit allows it",
    "app_config": "One setting in the application's configuration is faulty",
    "permissions": "The process's user may not write to a path that it needs",
    "liveness_probe": "The liveness probe asks for a path the app does not have",
    "slow_start": "The liveness probe begins before the app is ready for it",
    "probe_timeout": "The health check answers, but later than the probe waits",
    "missing_credentials": "A secret value the application reads at start is missing",
    "dependency_unreachable": "A service the application needs at start is out of reach",
    "service_account": "The pod's identity may not get the objects the app needs",
    "image_pull": "The image cannot be pulled from the registry it lives in",
    "missing_config": "A ConfigMap or a Secret the pod refers to does not exist",
    "readiness_probe": "It runs but fails its readiness check, so has no traffic",
    "exits_zero": "The process finishes its work without error and restarts",
    "evicted": "The node evicted the pod to reclaim memory or disk space",
}

# What each cause would have shown, for the feedback on a wrong choice that the drawn
# scenario's own question does not explain.
CAUSE_SIGNS = {
    "bad_command": "a StartError with exit code 128 and no logs at all",
    "oom_killed": "Last State OOMKilled with exit code 137",
    "app_config": "the application's own error about a setting in its logs, then exit code 1",
    "permissions": "Permission denied on a path in the logs, then exit code 1",
    "liveness_probe": "Unhealthy events from the liveness probe with an HTTP status, then Killing",
    "slow_start": "liveness failures with connection refused while the logs still say it warms up",
    "probe_timeout": "probe failures that say the client timed out awaiting headers",
    "missing_credentials": "a FATAL line about missing credentials naming a file path",
    "dependency_unreachable": "a FATAL line saying it cannot connect to its backend",
    "service_account": "a 403 Forbidden from the API naming the pod's service account",
    "image_pull": "ErrImagePull or ImagePullBackOff, and no container would have run",
    "missing_config": "CreateContainerConfigError naming the missing object, with no logs",
    "readiness_probe": "READY 0/1 with a restart count that stays at 0",
    "exits_zero": "Last State Completed with exit code 0",
    "evicted": "pod phase Failed with reason Evicted and a message about the node's pressure",
}

# Before the quiz the learner gets the workshop's flowchart, not the scenario's own commands
# (those point at the object that is wrong).
COMMANDS = (
    "kubectl get pods -n {namespace}",
    "kubectl describe pods -n {namespace}",
    "kubectl logs -n {namespace} {kind}/{name} --previous",
    "kubectl get events -n {namespace} --sort-by=.lastTimestamp",
    "kubectl get all,configmaps,secrets,serviceaccounts -n {namespace}",
)


@dataclass(frozen=True)
class Draw:
    """What a mystery round plays: the seed and the catalogue scenario ids in play order."""

    seed: str
    scenario_ids: tuple[str, ...]

    def mystery_id(self, index: int) -> str:
        return f"{LAB_ID}-{index + 1}"

    def as_record(self, catalog: Catalog) -> dict:
        """The `mystery` field of the results record (docs/results.md)."""
        labs = {sid: lab.id for lab in catalog.labs.values() for sid in lab.scenario_ids}
        return {"seed": self.seed, "count": len(self.scenario_ids),
                "draw": [{"id": self.mystery_id(i), "scenario": sid, "lab": labs.get(sid)}
                         for i, sid in enumerate(self.scenario_ids)]}


def pool(catalog: Catalog) -> list[str]:
    """Every scenario of every lab, once, in a fixed order."""
    return sorted({sid for lab in catalog.labs.values() for sid in lab.scenario_ids})


def check_count(catalog: Catalog, count: int) -> str | None:
    """Why `count` cannot be drawn (None when it can)."""
    size = len(pool(catalog))
    if not 1 <= count <= size:
        return f"must be between 1 and {size} (the scenarios of every lab)"
    return None


def is_round(lab: str, scenario: str | None = None) -> bool:
    """`crashlab reset`/`clean` mean the mystery round: `--lab mystery`, or a `mystery-<n>`
    scenario (no lab has one of that name)."""
    name = scenario or ""
    return lab == LAB_ID or (name.startswith(f"{LAB_ID}-") and name[len(LAB_ID) + 1:].isdigit())


def round_slugs(catalog: Catalog) -> list[str]:
    """Every slug a mystery round of any size can use (its namespaces are named after them)."""
    return [f"{LAB_ID}-{n}" for n in range(1, len(pool(catalog)) + 1)]


def draw_scenarios(catalog: Catalog, count: int, seed: str) -> Draw:
    """`count` distinct scenarios from every lab, in an order fixed by `seed`."""
    chosen = random.Random(f"crashlab-mystery/{seed}").sample(pool(catalog), count)
    return Draw(seed=seed, scenario_ids=tuple(chosen))


def cause_choice_texts(catalog: Catalog) -> dict[tuple[str, str], str]:
    """(mystery-<n>, cause id) -> the cause choice's text, for every round size (the class
    report shows wrong answers in words; evidence choices depend on the draw)."""
    return {(f"{LAB_ID}-{n}", cause): text for n in range(1, len(pool(catalog)) + 1)
            for cause, text in CAUSE_TEXTS.items()}


def cause_question(scenario: Scenario) -> Question:
    """The drawn scenario's cause question with every cause and look-alike as a choice; the
    scenario's own feedback where it has one, else what that cause would have shown."""
    own = scenario.question("cause")
    choices = []
    for cause in ALL_CAUSES:
        mine = own.choice(cause)
        correct = cause == scenario.cause
        if mine is not None:
            feedback = mine.feedback
        elif correct:
            feedback = f"Right: {CAUSE_TEXTS[cause][0].lower()}{CAUSE_TEXTS[cause][1:]}."
        else:
            feedback = (f"That one would have shown {CAUSE_SIGNS[cause]}. Compare it with "
                        "what your pod shows.")
        choices.append(Choice(id=cause, text=CAUSE_TEXTS[cause], feedback=feedback,
                              correct=correct))
    return Question(id="cause", prompt=f"What is going on with {scenario.workload.name}?",
                    choices=tuple(choices))


@dataclass(frozen=True)
class MysteryScenario(Scenario):
    """A drawn scenario as the round shows it: a number and the service's name."""

    number: int = 0

    @property
    def slug(self) -> str:
        # Namespaces, labels and workspace folders come from the slug (or the id): the
        # round's are its own, never those of the scenario in its lab.
        return f"{LAB_ID}-{self.number}"

    @property
    def title(self) -> str:
        return f"Mystery {self.number}: {self.workload.name}"

    def heading(self, number: int | None = None) -> str:
        """How the round names it everywhere before its quiz: "Mystery 1: orders (mystery-1)"."""
        return f"{self.title} ({self.id})"

    @property
    def kubectl(self) -> tuple[str, ...]:
        # The session lists `kubectl` before the quiz: the round shows the neutral flowchart
        # there, never the scenario's targeted commands (they point at what is wrong).
        return tuple(line.replace("{kind}", self.workload.kind.lower())
                     .replace("{name}", self.workload.name) for line in COMMANDS)


def neutral_scenario(scenario: Scenario, mystery_id: str, number: int) -> MysteryScenario:
    """The scenario as the mystery round shows it: a number and the service's name."""
    questions = tuple(cause_question(scenario) if q.id == "cause" else q
                      for q in scenario.questions)
    values = {f.name: getattr(scenario, f.name) for f in dataclasses.fields(Scenario)}
    values.update(id=mystery_id, sample=None, questions=questions,
                  story=f"Something is wrong with {scenario.workload.name}. Find out what, "
                        "from what the cluster shows.")
    return MysteryScenario(**values, number=number)


def mystery_catalog(catalog: Catalog, draw: Draw) -> Catalog:
    """A catalogue holding one lab, `mystery`, of the drawn scenarios made neutral."""
    scenarios = {}
    for index, scenario_id in enumerate(draw.scenario_ids):
        mystery_id = draw.mystery_id(index)
        scenarios[mystery_id] = neutral_scenario(catalog.scenario(scenario_id), mystery_id,
                                                 index + 1)
    lab = Lab(id=LAB_ID, title=f"Mystery round - {len(scenarios)} services",
              intro=INTRO, scenario_ids=tuple(scenarios),
              slugs={mystery_id: s.slug for mystery_id, s in scenarios.items()})
    return Catalog(labs={LAB_ID: lab}, scenarios=scenarios)


INTRO = """\
Each service below was drawn from every lab, in no particular order. Some are in a
crash loop and some only look like one; nothing but the cluster tells you which. The
cause question offers every cause the labs teach. It is scored like an exam: right on
the first try, tries, hints and the time to a verified fix.

The flowchart: kubectl get pods (status, READY, restarts: rising at all?) -> kubectl
describe pod (State, Last State, Reason, Exit Code, Events) -> kubectl logs --previous
-> the objects the pod depends on -> fix the Deployment or the object, not the pod."""
