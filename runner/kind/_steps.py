"""How long-running work reports its steps: the caller decides how to show them.

A step reporter is a callable `step(label)` returning a context manager that
yields a `StepNote`; the work may set `note.text` to a short outcome
("reused", "already loaded") that the reporter shows with the elapsed time.
"""

from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class StepNote:
    """The outcome of one step, filled in by the work itself."""

    text: str = ""


@contextmanager
def silent_step(label: str):
    """A step reporter that shows nothing (library default)."""
    yield StepNote()
