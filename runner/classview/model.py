"""The class view as plain data: participants × scenarios, who needs help, class totals. Pure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# A cell's state, in the order a participant moves through a scenario.
NOT_STARTED, DEPLOYED, CRASH_LOOPING, ANSWERED, FIXING = (
    "not-started", "deployed", "crash-looping", "answered", "fixing")
VERIFIED, REVEALED, SKIPPED = "verified", "revealed", "skipped"
STATES = (NOT_STARTED, DEPLOYED, CRASH_LOOPING, ANSWERED, FIXING, VERIFIED, REVEALED, SKIPPED)
FINAL = (VERIFIED, REVEALED, SKIPPED)

# What the instructor reads for each state (the page's and the table's legend).
STATE_WORDS = {
    NOT_STARTED: "not started", DEPLOYED: "deployed", CRASH_LOOPING: "crash-looping",
    ANSWERED: "answering", FIXING: "fixing", VERIFIED: "verified",
    REVEALED: "solution revealed", SKIPPED: "skipped",
}


@dataclass(frozen=True)
class Thresholds:
    """When a participant needs help."""

    idle_minutes: float = 10.0     # no progress on an unfinished scenario for this long
    wrong_answers: int = 3         # wrong quiz answers on the current scenario
    fix_changes: int = 3           # Deployment changed this often while still not fixed


@dataclass(frozen=True)
class Cell:
    scenario: str
    state: str
    tries: int = 0                 # quiz answers given (cause + evidence)
    wrong: int = 0                 # of which wrong
    hints: int = 0
    fix_changes: int = 0           # times the Deployment was changed since it was deployed
    pod: str = ""                  # the pod's status in a few words ("CrashLoopBackOff, 4 restarts")


@dataclass(frozen=True)
class ParticipantRow:
    participant: str
    cells: tuple[Cell, ...]
    current: str | None = None     # the scenario they are on (None: not started or finished)
    on_current_seconds: float | None = None
    hints: int = 0
    help: tuple[str, ...] = ()     # why they need help, in words (empty: they don't)
    trust: str = "none"            # the record's verdict as `grade` gives it; "none": no record
    trust_reason: str = ""
    updated_at: str | None = None
    done: int = 0                  # scenarios in a final state

    @property
    def needs_help(self) -> bool:
        return bool(self.help)


@dataclass(frozen=True)
class ClassView:
    lab: str
    scenarios: tuple[str, ...]
    rows: tuple[ParticipantRow, ...]
    totals: dict[str, int] = field(default_factory=dict)     # state -> cells, and class counts
    per_scenario: dict[str, dict[str, int]] = field(default_factory=dict)
    most_stuck: str | None = None
    most_stuck_count: int = 0
    generated_at: str = ""
    thresholds: Thresholds = Thresholds()

    def row(self, participant: str) -> ParticipantRow | None:
        return next((r for r in self.rows if r.participant == participant), None)

    def cell(self, participant: str, scenario: str) -> Cell | None:
        row = self.row(participant)
        return None if row is None else next((c for c in row.cells if c.scenario == scenario),
                                             None)

    def to_dict(self) -> dict:
        data = asdict(self)
        for row, source in zip(data["rows"], self.rows):
            row["needs_help"] = source.needs_help
        data["state_words"] = STATE_WORDS
        return data
