"""Build the class view from what the cluster holds: namespaces, pods, Deployments and the
participants' progress records (already read and verified, see runner.progress). Pure."""

from __future__ import annotations

import datetime
from collections import Counter

from runner import ownership, results
from runner.classview.model import (
    ANSWERED, CRASH_LOOPING, DEPLOYED, FINAL, FIXING, NOT_STARTED, STATES, Cell, ClassView,
    ParticipantRow, Thresholds)
from runner.diagnose.podview import list_containers
from runner.grade.model import TRUSTED

_FROM_RECORD = {"verified": "verified", "revealed": "revealed", "skipped": "skipped",
                "fixing": FIXING}
_STARTED = ("investigating", "fixing")


def build_view(lab: str, scenarios, namespaces=(), pods=(), deployments=(), checked=(),
               now: datetime.datetime | None = None, thresholds: Thresholds = Thresholds(),
               generated_at: str = "", keys: dict | None = None) -> ClassView:
    """The grid for `lab` (scenario ids in lab order), sorted so those needing help come first.

    `checked` are runner.grade Checked items (one per progress record); a record that is
    tampered or invalid is not believed: its row shows what the cluster shows, and its verdict.
    `keys` maps the opaque scenario key on the namespaces' labels to the scenario id
    (runner.catalog Lab.key); without it the label value is taken as the id.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    scenarios = tuple(scenarios)
    places = _places(lab, namespaces, keys or {})
    records = _records(lab, checked)
    for participant, (item, _) in records.items():
        if item.status in TRUSTED:
            for entry in item.record.get("scenarios") or []:
                if entry.get("namespace"):
                    places.setdefault((participant, entry["id"]), entry["namespace"])
    pods_in = _group(pods)
    changes_in = {ns: max(0, max(_generation(d) for d in items) - 1)
                  for ns, items in _group(deployments).items()}
    participants = sorted({p for p, _ in places} | set(records))
    rows = [_row(p, scenarios, places, records.get(p), pods_in, changes_in, now, thresholds)
            for p in participants]
    rows.sort(key=lambda r: (not r.needs_help, -len(r.help), r.done, r.participant))
    totals, per_scenario = _totals(rows, scenarios)
    stuck = Counter(r.current for r in rows if r.needs_help and r.current)
    most, count = max(((s, stuck[s]) for s in scenarios if stuck[s]), key=lambda x: x[1],
                      default=(None, 0))
    return ClassView(lab, scenarios, tuple(rows), totals, per_scenario, most, count,
                     generated_at or results.now_iso(now), thresholds)


def _places(lab: str, namespaces, keys: dict) -> dict[tuple[str, str], str]:
    """(participant, scenario) -> namespace, from the lab's namespace labels."""
    found = {}
    for ns in namespaces:
        meta = ns.get("metadata") or {}
        labels = meta.get("labels") or {}
        if not ownership.is_owned(labels) or labels.get(ownership.LAB_KEY) != lab:
            continue
        who, scenario = labels.get(ownership.PARTICIPANT_KEY), labels.get(ownership.SCENARIO_KEY)
        scenario = keys.get(scenario, scenario)
        if who and scenario and not meta.get("deletionTimestamp"):
            found[(who, scenario)] = meta["name"]
    return found


def _records(lab: str, checked) -> dict:
    """participant -> (Checked, its source), the newest record of this lab per participant."""
    found = {}
    for item in checked:
        record = item.record
        if not isinstance(record, dict) or record.get("lab") != lab:
            continue
        who = record.get("participant")
        kept = found.get(who)
        if kept is None or (record.get("updatedAt") or "") > (kept[0].record.get("updatedAt") or ""):
            found[who] = (item, item.source)
    return found


def _group(objects) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for obj in objects:
        meta = obj.get("metadata") or {}
        if meta.get("deletionTimestamp") or not ownership.is_owned(meta.get("labels")):
            continue
        grouped.setdefault(meta.get("namespace"), []).append(obj)
    return grouped


def _generation(obj: dict) -> int:
    value = (obj.get("metadata") or {}).get("generation")
    return value if isinstance(value, int) else 1


def _row(participant, scenarios, places, found, pods_in, changes_in, now, thresholds):
    item = found[0] if found else None
    trusted = item is not None and item.status in TRUSTED
    entries = {e.get("id"): e for e in (item.record.get("scenarios") or [])} if trusted else {}
    cells, help_ = [], []
    current = _current(scenarios, entries)
    for scenario in scenarios:
        namespace = places.get((participant, scenario))
        entry = entries.get(scenario)
        pods = pods_in.get(namespace, []) if namespace else []
        cell = _cell(scenario, entry, pods, changes_in.get(namespace, 0))
        cells.append(cell)
        if scenario == current:
            help_ += _help(cell, entry, namespace, pods, thresholds)
    on_current = None
    if current and entries.get(current):
        begun = results.parse_time(entries[current].get("startedAt"))
        on_current = None if begun is None else max(0.0, (now - begun).total_seconds())
    if trusted and current:
        idle = _idle_seconds(item.record, entries.get(current), now)
        if idle is not None and idle >= thresholds.idle_minutes * 60:
            help_.insert(0, f"no progress for {idle // 60:.0f} min")
    return ParticipantRow(
        participant, tuple(cells), current, on_current, sum(c.hints for c in cells),
        tuple(help_), item.status if item else "none", item.reason if item else "",
        item.record.get("updatedAt") if trusted else None,
        sum(1 for c in cells if c.state in FINAL))


def _current(scenarios, entries) -> str | None:
    """The scenario in progress: the first one started and not final, else the first not final."""
    open_ = [s for s in scenarios if s in entries and entries[s].get("status") not in FINAL]
    started = [s for s in open_ if entries[s].get("status") in _STARTED]
    return (started or open_ or [None])[0]


def _cell(scenario, entry, pods, fix_changes) -> Cell:
    entry = entry or {}
    quiz = entry.get("quiz") or {}
    attempts = [a for q in ("cause", "evidence") for a in (quiz.get(q) or {}).get("attempts") or []]
    wrong = sum(1 for a in attempts if not a.get("correct"))
    pod = pods[-1] if pods else None
    looping, words = _pod_state(pod)
    state = _FROM_RECORD.get(entry.get("status"))
    started = entry.get("status") in _STARTED
    if state is None:
        state = (ANSWERED if attempts else CRASH_LOOPING if looping
                 else DEPLOYED if pod or started else NOT_STARTED)
    if started and pod is None:
        words = "no pod"
    return Cell(scenario, state, len(attempts), wrong, entry.get("hintsShown") or 0,
                fix_changes, words)


def _pod_state(pod) -> tuple[bool, str]:
    """(crash-looping?, the pod's status in a few words)."""
    if pod is None:
        return False, ""
    views = [v for v in list_containers(pod) if not v.init] or list_containers(pod)
    if not views:
        return False, (pod.get("status") or {}).get("phase") or "Pending"
    view = max(views, key=lambda v: v.trouble)
    healthy = bool(view.running) and view.ready is True
    reason = (view.waiting_reason or view.terminated.get("reason")
              or ("Running" if view.running else (pod.get("status") or {}).get("phase") or "Pending"))
    if view.running and view.ready is False:
        reason = "Running, not ready"
    restarts = f", {view.restart_count} restart{'s' if view.restart_count != 1 else ''}" \
        if view.restart_count else ""
    return (view.trouble > 0 and not healthy), f"{reason}{restarts}"


def _help(cell: Cell, entry, namespace, pods, thresholds: Thresholds) -> list[str]:
    reasons = []
    if cell.wrong >= thresholds.wrong_answers:
        reasons.append(f"{cell.wrong} wrong answers on {cell.scenario}")
    if cell.state == FIXING and cell.fix_changes >= thresholds.fix_changes:
        reasons.append(f"changed the Deployment {cell.fix_changes} times, {cell.scenario} "
                       "still not fixed")
    if entry and entry.get("status") in _STARTED and not pods:
        reasons.append(f"no pod in {namespace}" if namespace
                       else f"the namespace of {cell.scenario} is gone")
    return reasons


def _idle_seconds(record: dict, entry, now) -> float | None:
    moments = [record.get("updatedAt")]
    if entry:
        moments.append(entry.get("startedAt"))
        quiz = entry.get("quiz") or {}
        moments += [a.get("at") for q in ("cause", "evidence")
                    for a in (quiz.get(q) or {}).get("attempts") or []]
    parsed = [t for t in (results.parse_time(m) for m in moments) if t is not None]
    return None if not parsed else max(0.0, (now - max(parsed)).total_seconds())


def _totals(rows, scenarios) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    per = {s: {state: 0 for state in STATES} for s in scenarios}
    for row in rows:
        for cell in row.cells:
            per[cell.scenario][cell.state] += 1
        if row.current:
            per[row.current]["working"] = per[row.current].get("working", 0) + 1
    totals = {state: sum(p[state] for p in per.values()) for state in STATES}
    totals.update(participants=len(rows), needs_help=sum(1 for r in rows if r.needs_help),
                  finished=sum(1 for r in rows if r.done == len(scenarios) and scenarios),
                  untrusted=sum(1 for r in rows if r.trust not in TRUSTED and r.trust != "none"))
    return totals, per
