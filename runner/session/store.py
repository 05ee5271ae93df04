"""The session's progress is its results file (runner.results: schema, atomic write, signing)."""

from __future__ import annotations

from pathlib import Path

from runner import results
from runner.errors import InputError


def save(record: dict, path: Path, environ=None) -> None:
    results.save_results(record, path, environ=environ)


def load(path: Path) -> dict | None:
    """The saved record, or None when the lab has not been started yet."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        return results.load_results(path)
    except InputError as problem:
        raise InputError(f"{problem} — to start this lab afresh, move {path} away") from None
