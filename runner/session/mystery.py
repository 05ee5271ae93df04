"""The mystery round's session: the lab dialogue over the drawn scenarios, with the draw
(seed and scenarios) kept in the results record so a resume plays the same round."""

from __future__ import annotations

from runner.errors import InputError
from runner.session.lab import LabSession


class MysterySession(LabSession):
    """A LabSession over runner.mystery's catalogue; `draw_record` is Draw.as_record()."""

    def __init__(self, catalog, options, cluster, asker, screen, version: str = "0.1.0",
                 environ=None, *, draw_record: dict):
        super().__init__(catalog, options, cluster, asker, screen, version, environ)
        self.draw_record = draw_record

    def header(self, scenario) -> str:
        return scenario.heading()   # "Mystery 1: orders (mystery-1)"

    def load_record(self) -> None:
        super().load_record()
        recorded = self.record.get("mystery")
        if recorded is not None and not same_round(recorded, self.draw_record):
            raise InputError(f"{self.options.results_path} holds another mystery round (seed "
                             f"{recorded.get('seed')}): resume it with that seed, or move the "
                             "file away to start a new round")
        self.record["mystery"] = dict(self.draw_record)
        self.save()


def same_round(recorded: dict, drawn: dict) -> bool:
    """The file's round is the one drawn now: same seed and size, and every drawn scenario the
    file names (it names one only once its cause may be read, records.for_learner) agrees."""
    rows = {row.get("id"): row for row in drawn.get("draw") or []}
    return (recorded.get("seed") == drawn.get("seed")
            and [row.get("id") for row in recorded.get("draw") or []] == list(rows)
            and all(row.get("scenario") in (None, rows[row["id"]].get("scenario"))
                    for row in recorded.get("draw") or []))


def recorded_round(path) -> dict | None:
    """The `mystery` field of an existing results file (None when there is none yet)."""
    from runner.results import load_progress

    record = load_progress(path)
    return None if record is None else record.get("mystery")
