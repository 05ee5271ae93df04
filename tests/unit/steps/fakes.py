"""Test doubles for the steps: a cluster made of per-method functions that count calls
(as chainsaw's fake client), and a tracker that plays a scripted pod timeline on a fake clock."""

from __future__ import annotations

import copy
from collections import Counter
from types import SimpleNamespace

from runner.catalog.model import Fixed, Symptom, Workload
from runner.expect import Observation
from runner.placement import placement_for

SYMPTOM = Symptom(summary="OOMKilled", within_seconds=10, events=(), logs=(),
                  pod={"status": {"containerStatuses": [{
                      "name": "app", "restartCount": {"$gte": 1},
                      "lastState": {"terminated": {"reason": "OOMKilled"}}}]}})
FIXED = Fixed(min_stable_seconds=5, pod={"status": {"phase": "Running", "containerStatuses": [{
    "name": "app", "ready": True, "state": {"running": {"$exists": True}}}]}})
SCENARIO = SimpleNamespace(id="oom-killed", slug="web", key="s0123456789",
                           workload=Workload("Deployment", "web", "app"),
                           symptom=SYMPTOM, fixed=FIXED, guards=())
PLACEMENT = placement_for("lab-3", "ada", SCENARIO, "img:1")


class FakeCluster:
    def __init__(self, objects: dict | None = None, **overrides):
        self.calls: Counter = Counter()
        self.objects = dict(objects or {})     # (kind, name) -> object
        self.applied: list[dict] = []
        self.restarts: list[tuple] = []
        for name, function in overrides.items():
            setattr(self, f"_{name}", function)

    def get(self, kind, name, namespace=None):
        self.calls["get"] += 1
        return copy.deepcopy(self.objects.get((kind, name)))

    def ensure_namespace(self, name, labels):
        self.calls["ensure_namespace"] += 1

    def apply(self, objects, namespace, labels=None):
        self.calls["apply"] += 1
        for obj in objects:
            self.applied.append(obj)
            stored = copy.deepcopy(obj)
            old = self.objects.get((obj["kind"], obj["metadata"]["name"]))
            generation = ((old or {}).get("metadata") or {}).get("generation", 0)
            if old is None or old.get("spec") != obj.get("spec"):
                generation += 1
            stored["metadata"]["generation"] = generation
            self.objects[(obj["kind"], obj["metadata"]["name"])] = stored
        return objects

    def restart_workload(self, namespace, kind, name, stamp):
        self.calls["restart_workload"] += 1
        self.restarts.append((namespace, kind, name))
        self.objects[(kind, name)]["metadata"]["generation"] += 1

    def list_pods(self, namespace=None, label_selector=None, timeout=None):
        """A fresh read: what `pods()` (given as an override, e.g. a tracker's) shows now."""
        self.calls["list_pods"] += 1
        pods = getattr(self, "_pods", None)
        return copy.deepcopy(pods(namespace) if pods else [])

    def list_pod_events(self, namespace, pod):
        self.calls["list_pod_events"] += 1
        return []

    def read_logs(self, namespace, pod, container, previous=False):
        self.calls["read_logs"] += 1
        return "allocating 96 MiB\n"


class ScriptedTracker:
    """`script`: [(at_seconds, pod)]; each wait() moves the clock to the next entry (or by
    the timeout when the script is done), as a watch delivering those pods would."""

    def __init__(self, script):
        self.script = list(script)
        self.clock = 0.0
        self.seen: list[Observation] = []
        self.latest: dict = {}
        self.waits = 0
        self._deliver_due()

    def _deliver_due(self):
        while self.script and self.script[0][0] <= self.clock:
            _, pod = self.script.pop(0)
            self.latest[pod["metadata"]["uid"]] = pod
            self.seen.append(Observation(self.clock, pod))

    def now(self):
        return self.clock

    def wait(self, seen, timeout):
        self.waits += 1
        step = timeout if timeout is not None else 1.0
        if self.script:
            step = min(step, max(0.0, self.script[0][0] - self.clock))
        self.clock += max(step, 0.01)
        self._deliver_due()
        return seen + 1

    def pods(self, namespace, prefix=""):
        return [p for p in self.latest.values() if p["metadata"]["name"].startswith(prefix)]

    def uids(self, namespace, prefix=""):
        return {p["metadata"]["uid"] for p in self.pods(namespace, prefix)}

    def newest(self, namespace, prefix, exclude=frozenset()):
        from runner.podfacts import newest_pod

        return newest_pod([p for p in self.pods(namespace, prefix)
                           if p["metadata"]["uid"] not in exclude])

    def heard(self, namespace):
        return self.clock   # a scripted watch is always current

    def observe(self, namespace, prefix, pods):
        for pod in pods:
            if self.latest.get(pod["metadata"]["uid"]) != pod:
                self.latest[pod["metadata"]["uid"]] = pod
                self.seen.append(Observation(self.clock, pod))

    def history(self, uid):
        return [o for o in self.seen if o.pod["metadata"]["uid"] == uid]
