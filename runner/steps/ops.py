"""The lab's operations on one placed scenario, each a pure judge plus one thin loop over one
pod tracker. The waiting ones are generators: they yield progress events (runner.steps.events)
for a driver to print and return their result; `run` drives one and hands events to a callback.

    seen = run(await_symptom(cluster, tracker, placement, scenario.symptom), printer)
"""

from __future__ import annotations

import time

from runner.errors import ClusterError, CrashlabError
from runner.expect import check_symptom, judge_fix, match
from runner.podfacts import past_creation
from runner.results import now_iso
from runner.session.interrupt import deferred
from runner.steps import fresh, restart, window
from runner.steps.events import Applied, Deployed, FixJudged, SymptomSeen, Watching

RECHECK_SECONDS = 1.0          # re-read events/logs and re-judge at least this often
NAMESPACE_GONE_SECONDS = 120.0


def run(step, on_event=lambda event: None):
    """Drive a step generator to its end; each progress event goes to `on_event`."""
    while True:
        try:
            event = next(step)
        except StopIteration as done:
            return done.value
        on_event(event)


# ------------------------------------------------------------------------------ deploy

def deploy(cluster, placement, objects: list[dict], fresh: bool = False):
    """Put the broken objects in the placement's namespace.

    `fresh`: an earlier copy of the namespace is deleted first (selftest). Otherwise a
    workload already there is kept as it is (a resumed lab keeps the learner's changes).
    Ctrl-C during the apply is held until it is done, then raised.
    """
    if fresh:
        yield from _delete_leftover(cluster, placement.namespace)
    cluster.ensure_namespace(placement.namespace, placement.labels)
    if not fresh and cluster.get(placement.workload_kind, placement.workload_name,
                                 placement.namespace) is not None:
        event = Deployed(placement.namespace, fresh=False)
        yield event
        return event
    with deferred() as interrupted:
        cluster.apply(objects, placement.namespace, labels=placement.labels)
    if interrupted():
        raise KeyboardInterrupt
    event = Deployed(placement.namespace, fresh=True)
    yield event
    return event


def _delete_leftover(cluster, namespace: str):
    if cluster.get("Namespace", namespace) is None:
        return
    cluster.delete_namespace(namespace)  # NotOwnedError if it is not the lab's
    deadline = time.monotonic() + NAMESPACE_GONE_SECONDS
    while cluster.get("Namespace", namespace) is not None:
        if time.monotonic() > deadline:
            raise ClusterError(f"namespace {namespace} from an earlier run is still being "
                               "deleted; try again in a minute")
        yield Watching(None, f"waiting for namespace {namespace} to be deleted")
        time.sleep(1.0)


# ------------------------------------------------------------------------ await symptom

def read_pod(cluster, placement, pod: dict):
    """(events, current log, previous log) of one pod of the placement's workload."""
    name = pod["metadata"]["name"]
    events = cluster.list_pod_events(placement.namespace, name)
    return events, _logs(cluster, placement, name, False), _logs(cluster, placement, name, True)


def _logs(cluster, placement, pod: str, previous: bool) -> str | None:
    try:
        return cluster.read_logs(placement.namespace, pod, placement.container, previous=previous)
    except CrashlabError:
        return None  # the container never ran, or its pod is gone: no logs to show


def await_symptom(cluster, tracker, placement, symptom, recheck: float = RECHECK_SECONDS):
    """Follow the newest pod until it shows the scenario's symptom or `symptom.within_seconds`
    pass; returns SymptomSeen (on timeout `shown` is False, with the last mismatches). The
    symptom is confirmed on a fresh read of the pods before it counts."""
    started = tracker.now()
    deadline = started + symptom.within_seconds
    evidence = fresh.Evidence(cluster, tracker, placement)
    last, pod, seen = ["pod: got <missing>, want a pod of the workload"], None, -1
    while True:
        pod = tracker.newest(placement.namespace, placement.pod_prefix)
        yield Watching(pod)
        if pod is not None:
            cheap = match(symptom.pod, pod)   # events and logs only once the pod part shows
            if cheap:
                last = [str(m) for m in cheap]
            else:
                events, logs, previous = read_pod(cluster, placement, pod)
                found = check_symptom(symptom, pod, events, (logs or "") + (previous or ""))
                if not found:
                    confirmed = _fresh_symptom(evidence, tracker, placement, symptom, events,
                                               (logs or "") + (previous or ""))
                    if confirmed is not None:
                        return SymptomSeen(True, confirmed, events, logs, previous, [],
                                           tracker.now() - started)
                    yield Watching(pod, fresh.WAITING if evidence.stalled else "")
                last = [str(m) for m in found]
        remaining = deadline - tracker.now()
        if remaining <= 0:
            return SymptomSeen(False, pod, [], None, None, last, tracker.now() - started)
        seen = tracker.wait(seen, min(recheck, remaining))


def _fresh_symptom(evidence, tracker, placement, symptom, events, logs):
    """The newest pod from a fresh read when it still shows the symptom, else None."""
    if not evidence.read():
        evidence.refresh()
        return None
    pod = tracker.newest(placement.namespace, placement.pod_prefix)
    return pod if pod is not None and not check_symptom(symptom, pod, events, logs) else None


# ---------------------------------------------------------------------------- apply fix

def apply_fix(cluster, tracker, placement, objects: list[dict]) -> Applied:
    """Apply `objects` as one step; restart the workload when a ConfigMap or Secret it reads
    changed.

    Returns Applied, whose `replaced` holds the uids of the pods the change replaces (not
    judged any more): empty when the pod template did not change. Ctrl-C is held until the
    apply is done; `interrupted` says whether one came.
    """
    ns, kind, name = placement.namespace, placement.workload_kind, placement.workload_name
    before = cluster.get(kind, name, ns)
    target = restart.workload_of(objects, kind, name) or before
    used = restart.configmaps_used(restart.pod_spec_of(target))
    live = {cm: cluster.get("ConfigMap", cm, ns) for cm in used}
    changed = restart.changed_configmaps(objects, live, used)
    secrets = restart.secrets_used(restart.pod_spec_of(target))
    live_secrets = {secret: cluster.get("Secret", secret, ns) for secret in secrets}
    changed_secrets = restart.changed_configmaps(objects, live_secrets, secrets, "Secret")
    old_pods = tracker.uids(ns, placement.pod_prefix) if tracker is not None else set()
    with deferred() as interrupted:
        cluster.apply(objects, ns, labels=placement.labels)
        if changed or changed_secrets:
            cluster.restart_workload(ns, kind, name, now_iso())
    after = cluster.get(kind, name, ns) or {}
    replaced = old_pods if _generation(after) != _generation(before or {}) else set()
    return Applied(ns, [f"{o['kind']}/{o['metadata']['name']}" for o in objects], changed,
                   replaced, interrupted(), changed_secrets)


def _generation(obj: dict):
    return (obj.get("metadata") or {}).get("generation")


# ------------------------------------------------------------------------------ await fix

def read_guard_objects(cluster, placement, guards) -> dict[str, dict]:
    """The `Kind/name` objects (not the Pod) the guards look at, as they are now."""
    objects = {}
    for target in sorted({guard.object for guard in guards if guard.object != "Pod"}):
        kind, name = target.split("/", 1)
        found = cluster.get(kind, name, placement.namespace)
        if found is not None:
            objects[target] = found
    return objects


def await_fix(cluster, tracker, placement, scenario, exclude=frozenset(), *,
              timeout: float, stability_window: int | None = None,
              stop_when_steadily_bad: bool = True):
    """Follow the workload's newest pod (leaving out `exclude`) until judge_fix says fixed.

    The window counts only time with fresh evidence (runner.steps.fresh): it is judged only
    while the evidence is current (never more than a stall's length old); while the API does
    not answer the step yields fresh.WAITING and the window starts again once it does; a
    "fixed" verdict holds only if one fresh read of the pods then shows the same run.
    Ends without a fix after `timeout` seconds, or (`stop_when_steadily_bad`) once a pod
    that got past creation has stayed not fixed for a whole window. Returns FixJudged.
    """
    objects = read_guard_objects(cluster, placement, scenario.guards)
    steady = window.Steadiness()
    evidence = fresh.Evidence(cluster, tracker, placement)
    started = tracker.now()
    give_up = started + timeout
    seen, verdict, pod = -1, None, None

    def judge(candidate):
        size = window.window_for(candidate, placement.container,
                                 scenario.fixed.min_stable_seconds, stability_window)
        return judge_fix(scenario.fixed, scenario.guards, placement.container,
                         tracker.history(candidate["metadata"]["uid"]), tracker.now(), objects,
                         size, counted_from=evidence.current_since)

    while True:
        now = tracker.now()
        if not evidence.refresh():
            steady.settling()
            yield Watching(tracker.newest(placement.namespace, placement.pod_prefix, exclude),
                           fresh.WAITING)
        else:
            pod = tracker.newest(placement.namespace, placement.pod_prefix, exclude)
            if pod is None:
                yield Watching(None, "waiting for the new pod ...")
            else:
                verdict = judge(pod)
                if verdict.fixed:
                    confirmed = _confirm(evidence, tracker, placement, exclude, pod, judge)
                    if confirmed is not None:
                        return FixJudged(confirmed[0], confirmed[1], tracker.now() - started,
                                         False)
                    yield Watching(pod, fresh.WAITING if evidence.stalled
                                   else "looks fixed: checking it once more")
                elif verdict.state == "settling":
                    steady.settling()
                    yield Watching(pod, f"looks fixed: staying healthy for "
                                        f"{verdict.remaining_seconds:.0f}s more "
                                        f"(window {verdict.window_seconds}s)")
                else:
                    yield Watching(pod, "not fixed yet")
                    if stop_when_steadily_bad and past_creation(pod, placement.container) and \
                            steady.steadily_bad(now, verdict.window_seconds):
                        still = _still_bad(evidence, tracker, placement, exclude, judge)
                        if still is not None:
                            return FixJudged(still[0], still[1], now - started, False)
        if now > give_up:
            return FixJudged(verdict, pod, now - started, True)
        wait = 0.5 if verdict is None or verdict.state != "settling" \
            else min(RECHECK_SECONDS, max(0.05, verdict.remaining_seconds))
        seen = tracker.wait(seen, min(wait, max(0.05, give_up - now)))


def _still_bad(evidence, tracker, placement, exclude, judge):
    """(verdict, pod) when one fresh read shows the newest pod still not fixed, else None."""
    if not evidence.read():
        return None
    pod = tracker.newest(placement.namespace, placement.pod_prefix, exclude)
    verdict = judge(pod) if pod is not None else None
    return (verdict, pod) if verdict is not None and verdict.state == "not_fixed" else None


def _confirm(evidence, tracker, placement, exclude, judged: dict, judge):
    """(verdict, pod) when one fresh read shows the judged run still fixed, else None."""
    if not evidence.read():
        return None
    pod = tracker.newest(placement.namespace, placement.pod_prefix, exclude)
    if not window.same_run(judged, pod, placement.container):
        return None
    verdict = judge(pod)
    return (verdict, pod) if verdict.fixed else None
