"""The class report as plain data: one row per participant and scenario, flags, class figures."""

from __future__ import annotations

from dataclasses import dataclass, field

# Why a file or a participant is flagged (in the order the report lists them).
FLAG_KINDS = ("tampered", "invalid", "unsigned", "unverified", "duplicate", "missing",
              "live-failed")
# Verdicts whose content may be counted in the class figures.
TRUSTED = ("ok", "unsigned", "unverified")


@dataclass(frozen=True)
class Checked:
    """One results file as read: its record (None when unreadable) and its verdict."""

    source: str
    record: dict | None
    status: str
    reason: str = ""


@dataclass(frozen=True)
class Flag:
    kind: str
    participant: str | None
    source: str | None
    reason: str


@dataclass
class Row:
    """One participant's outcome on one scenario."""

    participant: str
    lab: str
    scenario: str
    status: str = "pending"
    trust: str = "ok"                 # verdict of the file the row comes from ("live": cluster only)
    source: str | None = None
    diagnosed: bool = False
    first_try: bool = False
    cause_attempts: int = 0
    wrong_answers: tuple[str, ...] = ()
    evidence_attempts: int = 0
    evidence_wrong: tuple[str, ...] = ()
    hints: int = 0
    evidence_shown: int = 0
    revealed: bool = False
    resets: int = 0                   # times the learner reset the scenario (its `resets` list)
    verified: bool = False
    fix_applied_by: str | None = None
    time_to_diagnose: float | None = None
    time_to_fix: float | None = None
    live: str | None = None           # None: not checked; "fixed", "not-fixed", "absent"
    live_detail: str = ""

    @property
    def counted(self) -> bool:
        """True when the row may go into the class figures."""
        return self.trust in TRUSTED or self.trust == "live"


@dataclass
class ScenarioFigure:
    scenario: str
    participants: int = 0
    verified: int = 0
    first_try: int = 0
    revealed: int = 0
    skipped: int = 0
    unfinished: int = 0
    median_diagnose: float | None = None
    median_fix: float | None = None
    hints: int = 0
    solved_alone: int = 0             # verified without the solution being revealed
    wrong_answers: dict[str, int] = field(default_factory=dict)


@dataclass
class ClassReport:
    labs: tuple[str, ...]
    scenarios: tuple[str, ...]
    participants: tuple[str, ...]
    rows: list[Row]
    flags: list[Flag]
    figures: list[ScenarioFigure]
    hardest: str | None = None
    hardest_why: str = ""
    common_wrong: list[tuple[str, str, int]] = field(default_factory=list)  # (scenario, answer, n)
    generated_at: str = ""
    live: bool = False
    files_graded: int = 0             # results files that could be read (tampered ones too)
    choice_texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (scenario, choice id)

    def answer_text(self, scenario: str, answer: str) -> str:
        """A quiz answer as the learner saw it (the choice's text), or its id when unknown."""
        return self.choice_texts.get((scenario, answer), answer)

    @property
    def files_to_look_at(self) -> str:
        """`6 files to look at (1 tampered, 5 unsigned)`: counts exactly the flags listed."""
        kinds: dict[str, int] = {}
        for flag in self.flags:
            kinds[flag.kind] = kinds.get(flag.kind, 0) + 1
        n = len(self.flags)
        detail = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        return f"{n} file{'s' if n != 1 else ''} to look at" + (f" ({detail})" if detail else "")

    def row(self, participant: str, scenario: str) -> Row | None:
        return next((r for r in self.rows if r.participant == participant
                     and r.scenario == scenario), None)

    def figure(self, scenario: str) -> ScenarioFigure | None:
        return next((f for f in self.figures if f.scenario == scenario), None)

    @property
    def ok(self) -> bool:
        """No file was tampered with, broken, duplicated or missing."""
        return not any(flag.kind in ("tampered", "invalid", "duplicate", "missing")
                       for flag in self.flags)
