"""The results record (docs/results.md, schema crashlab.dev/results/v1) as plain dicts. Pure.

The record is also the progress store: the session resumes at the first
scenario whose status is not final.
"""

from __future__ import annotations

from runner import placement
from runner.results import SCHEMA, is_final, parse_time  # noqa: F401 - is_final is part of this API
from runner.results import now_iso as utc_now


def _seconds_between(start: str | None, end: str | None) -> float | None:
    begun, ended = parse_time(start), parse_time(end)
    if begun is None or ended is None:
        return None
    return round((ended - begun).total_seconds(), 1)


def new_record(lab: str, participant: str, scenarios, *, version: str = "0.1.0",
               cluster: dict | None = None, started_at: str | None = None) -> dict:
    """A fresh record with every scenario pending (what the session writes first).

    `scenarios`: ids, or (id, cause, namespace) tuples."""
    now = started_at or utc_now()
    rows = [(row, None, None) if isinstance(row, str) else row for row in scenarios]
    return {
        "schema": SCHEMA, "lab": lab, "participant": participant, "crashlabVersion": version,
        "cluster": dict(cluster or {}), "startedAt": now, "updatedAt": now,
        "scenarios": [new_scenario(sid, cause, ns) for sid, cause, ns in rows],
    }


def new_scenario(scenario_id: str, cause: str | None = None,
                 namespace: str | None = None) -> dict:
    """One scenario entry in its initial state."""
    return {
        "id": scenario_id, "cause": cause, "namespace": namespace, "status": "pending",
        "startedAt": None, "diagnosedAt": None, "fixedAt": None,
        "timeToDiagnoseSeconds": None, "timeToFixSeconds": None,
        "quiz": {"cause": {"attempts": []}, "evidence": {"attempts": []}},
        "hintsShown": 0, "evidenceShown": 0, "solutionRevealed": False,
        "symptom": None, "brokenRestartCount": None, "fixes": [],
        "fixAppliedBy": None, "verification": None,
    }


def merge_lab(record: dict, scenarios, cluster: dict) -> dict:
    """Bring a loaded record in line with the lab's scenarios (added ones pending, order kept).
    Ids and causes come from the catalogue: before its quiz the file names a scenario by its
    slug and leaves its cause out (`for_learner`); an entry is found by id or by namespace."""
    loaded = record.get("scenarios") or []
    record["scenarios"] = []
    for sid, cause, namespace in scenarios:
        found = find(loaded, sid, namespace)
        record["scenarios"].append({**found, "id": sid, "cause": cause} if found
                                   else new_scenario(sid, cause, namespace))
    record["cluster"] = dict(cluster)
    return record


# ------------------------------------------------------------------ what the learner may read

def cause_known(item: dict) -> bool:
    """The one rule for when a scenario's cause may be written where the learner can read it
    (their results file, their progress ConfigMap): once they named it in the quiz, or the
    solution was shown or applied for them (`--solve`, Reveal), or the quiz is behind them."""
    return (answered(item, "cause") or bool(item.get("solutionRevealed"))
            or item.get("status") in ("fixing", "verified", "revealed"))


def _readable_entry(item: dict, participant: str) -> dict:
    if cause_known(item):
        shown = dict(item)
    else:   # the id names the cause; the slug is the namespace's (the service's) name
        slug = placement.slug_of_namespace(item.get("namespace"), participant)
        shown = {**item, "id": slug or item["id"], "cause": None}
    if item.get("resets"):
        shown["resets"] = [{**reset, "previous": _readable_entry(reset["previous"], participant)}
                           if isinstance(reset.get("previous"), dict) else dict(reset)
                           for reset in item["resets"]]
    return shown


def for_learner(record: dict) -> dict:
    """`record` as it may be written where the learner can read it before a quiz: every
    scenario (and every earlier try in `resets`) for which `cause_known` does not hold is named
    by its slug, not its id, with its cause left out (None), and a mystery round does not say
    which scenario it drew for it. The signature, if any, is dropped: the caller signs what it
    writes. `merge_lab` (resume) and `with_ids` (grading) name them by id again."""
    body = {key: value for key, value in record.items() if key != "signature"}
    body["scenarios"] = [_readable_entry(item, record.get("participant") or "")
                         for item in record.get("scenarios") or []]
    if isinstance(record.get("mystery"), dict):
        known = {item.get("id") for item in record.get("scenarios") or [] if cause_known(item)}
        round_ = record["mystery"]
        body["mystery"] = {**round_, "draw": [
            dict(row) if row.get("id") in known else {"id": row.get("id")}
            for row in round_.get("draw") or []]}
    return body


def find(entries, scenario_id: str, namespace: str | None = None) -> dict | None:
    """The entry of a scenario: by its id, or (as `for_learner` wrote it) by its namespace."""
    entries = list(entries)
    return (next((item for item in entries if item.get("id") == scenario_id), None)
            or next((item for item in entries if namespace
                     and item.get("namespace") == namespace), None))


def with_ids(record: dict, ids_by_slug: dict[str, str]) -> dict:
    """A copy of a loaded record with every scenario named by its catalogue id again
    (`ids_by_slug`: the lab's slug -> id); what the file named by id stays as it is."""
    def named(item: dict) -> dict:
        fixed = {**item, "id": ids_by_slug.get(item.get("id"), item.get("id"))}
        if item.get("resets"):
            fixed["resets"] = [{**reset, "previous": named(reset["previous"])}
                               if isinstance(reset.get("previous"), dict) else reset
                               for reset in item["resets"]]
        return fixed
    return {**record, "scenarios": [named(item) for item in record.get("scenarios") or []]}


def entry(record: dict, scenario_id: str) -> dict:
    return next(item for item in record["scenarios"] if item["id"] == scenario_id)


def touch(record: dict) -> dict:
    record["updatedAt"] = utc_now()
    return record


def start(item: dict) -> None:
    if item["status"] == "pending":
        item["status"] = "investigating"
    item["startedAt"] = item["startedAt"] or utc_now()


def add_attempt(item: dict, question: str, answer: str, correct: bool) -> None:
    item["quiz"][question]["attempts"].append({"answer": answer, "correct": correct,
                                               "at": utc_now()})


def answered(item: dict, question: str) -> bool:
    attempts = ((item.get("quiz") or {}).get(question) or {}).get("attempts") or []
    return any(attempt.get("correct") for attempt in attempts)


def diagnosed(item: dict) -> None:
    item["diagnosedAt"] = utc_now()
    item["timeToDiagnoseSeconds"] = _seconds_between(item["startedAt"], item["diagnosedAt"])
    item["status"] = "fixing"


def symptom_seen(item: dict, lines, restart_count: int | None) -> None:
    """The broken pod's evidence, kept from when it was first seen (a resume keeps it)."""
    if not item.get("symptom"):
        item["symptom"] = list(lines)
    if item.get("brokenRestartCount") is None:
        item["brokenRestartCount"] = restart_count


def fix_applied(item: dict, applied_by: str) -> None:
    """A fix was applied; its verdict follows (`fix_judged`), or stays None if cut short."""
    item.setdefault("fixes", []).append({"at": utc_now(), "by": applied_by, "verdict": None})


def fix_judged(item: dict, fixed: bool) -> None:
    fixes = item.get("fixes") or []
    if fixes and fixes[-1]["verdict"] is None:
        fixes[-1]["verdict"] = "fixed" if fixed else "not fixed"


def count(item: dict, what: str) -> None:
    item[what] += 1


def looked(item: dict) -> None:
    """"Show me where to look" was shown: it counts as a hint."""
    item["hintsShown"] += 1
    item["whereToLookShown"] = item.get("whereToLookShown", 0) + 1


def hints_given(item: dict) -> int:
    """How many of the scenario's own hints were shown (where-to-look not counted)."""
    return item["hintsShown"] - item.get("whereToLookShown", 0)


def verified(item: dict, applied_by: str, verification: dict) -> None:
    item["fixedAt"] = utc_now()
    item["timeToFixSeconds"] = _seconds_between(item["diagnosedAt"] or item["startedAt"],
                                                item["fixedAt"])
    item["fixAppliedBy"] = applied_by
    item["verification"] = {"verifiedAt": item["fixedAt"], **verification}
    item["status"] = "revealed" if item["solutionRevealed"] else "verified"


def skipped(item: dict) -> None:
    item["status"] = "skipped"


def revealed(item: dict) -> None:
    item["solutionRevealed"] = True


def reset_entry(record: dict, scenario_id: str, at: str | None = None) -> dict:
    """Start the scenario again; the earlier try is kept in `resets` (append-only), so a reset
    cannot clean a record."""
    old = entry(record, scenario_id)
    fresh = new_scenario(old["id"], old["cause"], old["namespace"])
    earlier = {key: value for key, value in old.items() if key != "resets"}
    fresh["resets"] = [*(old.get("resets") or []), {"at": at or utc_now(), "previous": earlier}]
    record["scenarios"][record["scenarios"].index(old)] = fresh
    return fresh


def summary_rows(record: dict, names: dict[str, str] | None = None
                 ) -> list[tuple[str, str, str, str, str, str]]:
    """(scenario, status, quiz tries, hints, time to fix, fixed by) for the end-of-lab table.
    A scenario whose cause is not known yet (`cause_known`) is named by `names` (id -> its
    neutral heading), not by its id."""
    rows = []
    for item in record["scenarios"]:
        name = item["id"] if cause_known(item) else (names or {}).get(item["id"], item["id"])
        tries = "/".join(str(len(item["quiz"][q]["attempts"])) for q in ("cause", "evidence"))
        fix = item["timeToFixSeconds"]
        rows.append((name, item["status"], tries, str(item["hintsShown"]),
                     "-" if fix is None else f"{fix:.0f}s", item["fixAppliedBy"] or "-"))
    return rows
