"""What the steps report while they run (a driver prints them) and what they return."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Watching:
    """The step looked at the workload's newest pod (None: no pod yet); `note` says why it
    goes on waiting ("" while a symptom is awaited)."""

    pod: dict | None
    note: str = ""


@dataclass(frozen=True)
class Deployed:
    namespace: str
    fresh: bool            # False: the workload was already there (a resumed lab keeps it)


@dataclass(frozen=True)
class Applied:
    namespace: str
    objects: list[str]     # "Kind/name" of each object applied, in order
    restarted: list[str]   # ConfigMaps whose change made the step restart the workload
    replaced: set[str] = field(default_factory=set)   # uids of pods the change replaces
    interrupted: bool = False                          # Ctrl-C arrived during the apply
    restarted_secrets: list[str] = field(default_factory=list)  # the same, for Secrets


@dataclass(frozen=True)
class SymptomSeen:
    """What `await_symptom` ends with: `shown` False on timeout, with the last mismatches."""

    shown: bool
    pod: dict | None
    events: list[dict]
    logs: str | None
    previous: str | None
    mismatches: list[str]
    seconds: float


@dataclass(frozen=True)
class FixJudged:
    """What `await_fix` ends with: the last verdict (None: no new pod came) and its pod."""

    verdict: object | None
    pod: dict | None
    seconds: float
    timed_out: bool
