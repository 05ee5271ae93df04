"""Find and read results files; every problem becomes a verdict, never an exception."""

from __future__ import annotations

import functools
from pathlib import Path

from runner import results
from runner.results import records
from runner.errors import InputError
from runner.grade.model import Checked
from runner.textfile import NotTextFile, read_text_file

REPORT_NAMES = ("report.json",)
_RESULTS_TODO = "restore the results file the lab wrote"
_ROSTER_TODO = "give a text file with one participant per line"


def find_result_files(paths) -> tuple[list[Path], list[str]]:
    """Expand folders to their *.json files (sorted); also return paths that do not exist."""
    found, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.glob("*.json")
                            if not p.name.startswith(".") and p.name not in REPORT_NAMES)
        elif path.is_file():
            found.append(path)
        else:
            missing.append(str(raw))
    return found, missing


def check_text(text: str, source: str, key) -> Checked:
    """Parse, validate and verify one file's text."""
    try:
        record = results.read_results_text(text, source)
    except InputError as error:
        return Checked(source, None, results.INVALID, str(error).split(": ", 1)[-1])
    verdict = results.inspect_results(record, key)
    keep = record if isinstance(record, dict) else None
    if keep is not None and isinstance(keep.get("scenarios"), list):
        # checked as written; graded by catalogue id (before its quiz a scenario is named by
        # its slug in the file: records.for_learner)
        keep = records.with_ids(keep, _ids_by_slug(keep.get("lab")))
    return Checked(source, keep, verdict.status, verdict.reason)


@functools.lru_cache(maxsize=None)
def _ids_by_slug(lab) -> dict[str, str]:
    """The lab's scenario slug -> id, from the project's catalogue ({} when it cannot be read
    or has no such lab, e.g. a mystery round, whose scenarios are named alike before and
    after their quiz)."""
    from runner.catalog import load_catalog
    from runner.errors import CatalogError

    try:
        plan = load_catalog(manifests=False).labs.get(lab)
    except (CatalogError, OSError):
        return {}
    return {} if plan is None else {plan.slug(sid): sid for sid in plan.scenario_ids}


def check_file(path, key) -> Checked:
    """Read and verify one results file; an unreadable file is `invalid` with the reason."""
    try:
        text = read_text_file(path, _RESULTS_TODO)
    except NotTextFile as error:
        return Checked(str(path), None, results.INVALID, str(error).split(": ", 1)[-1])
    except OSError as error:
        return Checked(str(path), None, results.INVALID,
                       f"cannot read it: {error.strerror or error}")
    return check_text(text, str(path), key)


def check_files(paths, key) -> list[Checked]:
    return [check_file(path, key) for path in paths]


def read_roster(path) -> list[str]:
    """Participant names, one per line ('#' comments; CSV: the first column)."""
    try:
        lines = read_text_file(path, _ROSTER_TODO).splitlines()  # NotTextFile says it is not text
    except OSError as error:
        raise InputError(f"{path}: cannot read the roster ({error}); give a text file with one "
                         "participant per line") from None
    names = []
    for line in lines:
        name = line.split("#", 1)[0].split(",", 1)[0].strip()
        if name and name.lower() not in ("participant", "name") and name not in names:
            names.append(name)
    return names
