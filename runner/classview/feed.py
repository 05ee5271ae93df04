"""Follow a workshop on the cluster: four all-namespace, label-selected watches (namespaces,
pods, Deployments, progress ConfigMaps), whatever the class size; no polling.

    with ClassFeed(cluster, lab, key=key) as feed:
        version = feed.wait(0, timeout=5)       # blocks until something changed
        view = feed.view()                       # a runner.classview ClassView
"""

from __future__ import annotations

import datetime
import threading

from runner import ownership, progress
from runner.classview.build import build_view
from runner.classview.model import Thresholds

KINDS = ("Namespace", "Pod", "Deployment", "ConfigMap")


def selectors(lab_id: str) -> dict[str, str]:
    """The label selector of each watch: the lab's objects only (progress records for ConfigMaps)."""
    owned = f"{ownership.OWNED_SELECTOR},{ownership.LAB_KEY}={lab_id}"
    return {"Namespace": owned, "Pod": owned, "Deployment": owned,
            "ConfigMap": f"{progress.SELECTOR},{ownership.LAB_KEY}={lab_id}"}


class ClassFeed:
    """The lab's objects as the watches last reported them; `version` counts the changes."""

    def __init__(self, cluster, lab, key=None, thresholds: Thresholds = Thresholds(),
                 clock=None):
        from runner.cluster import WatchStop

        self.cluster, self.lab, self.key, self.thresholds = cluster, lab, key, thresholds
        self.clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.version = 0
        self.synced: set[str] = set()   # kinds whose first list has arrived
        self.error: BaseException | None = None
        self._objects: dict[str, dict[str, dict]] = {kind: {} for kind in KINDS}
        self._checked: dict[tuple, object] = {}
        self._changed = threading.Condition()
        self._stops = {kind: WatchStop() for kind in KINDS}
        self._threads = [threading.Thread(target=self._follow, args=(kind,), daemon=True,
                                          name=f"crashlab-class-{kind.lower()}")
                         for kind in KINDS]
        self._cache: tuple | None = None

    def start(self) -> "ClassFeed":
        for thread in self._threads:
            thread.start()
        return self

    def _follow(self, kind: str) -> None:
        selector = selectors(self.lab.id)[kind]
        try:
            def synced():
                with self._changed:
                    self.synced.add(kind)
                    self.version += 1
                    self._changed.notify_all()

            for event, obj in self.cluster.watch_all(kind, selector, stop=self._stops[kind],
                                                     synced=synced):
                meta = obj.get("metadata") or {}
                name = f"{meta.get('namespace', '')}/{meta.get('name')}"
                with self._changed:
                    if event == "DELETED":
                        self._objects[kind].pop(name, None)
                    else:
                        self._objects[kind][name] = obj
                    self.version += 1
                    self._changed.notify_all()
        except BaseException as problem:  # noqa: BLE001 - reported by wait() and the page
            with self._changed:
                if not self._stops[kind].is_set():
                    self.error = problem
                self.version += 1
                self._changed.notify_all()

    def wait(self, seen: int, timeout: float | None = None) -> int:
        """Block until `version` passes `seen` (or `timeout` s); returns the version now."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > seen or self.error is not None, timeout)
            return self.version

    def wait_synced(self, timeout: float = 30.0) -> bool:
        """True once every watch has delivered the objects that existed when it started."""
        with self._changed:
            return self._changed.wait_for(lambda: self.error is not None
                                          or self.synced >= set(KINDS), timeout) \
                and self.error is None

    def objects(self, kind: str) -> list[dict]:
        with self._changed:
            return list(self._objects[kind].values())

    def view(self, now: datetime.datetime | None = None):
        """The class view as of the last change (rebuilt at most once per change and second)."""
        now = now or self.clock()
        with self._changed:
            version = self.version
            snapshot = {kind: list(items.values()) for kind, items in self._objects.items()}
        stamp = (version, int(now.timestamp()))
        cached = self._cache
        if cached is not None and cached[0] == stamp:
            return cached[1]
        view = build_view(self.lab.id, self.lab.scenario_ids, snapshot["Namespace"],
                          snapshot["Pod"], snapshot["Deployment"],
                          self._records(snapshot["ConfigMap"], snapshot["Namespace"]),
                          now, self.thresholds,
                          keys={self.lab.key(s): s for s in self.lab.scenario_ids})
        self._cache = (stamp, view)
        return view

    def _records(self, configmaps, namespaces) -> list:
        """Verify each record once per version of its ConfigMap (and of its namespace's owner)."""
        by_name = {(ns.get("metadata") or {}).get("name"): ns for ns in namespaces}
        checked, fresh = [], {}
        for configmap in configmaps:
            meta = configmap.get("metadata") or {}
            home = by_name.get(meta.get("namespace"))
            owner = (((home or {}).get("metadata") or {}).get("labels") or {}).get(
                ownership.PARTICIPANT_KEY)
            memo = (meta.get("namespace"), meta.get("name"), meta.get("resourceVersion"), owner)
            found = self._checked.get(memo)
            if found is None:
                found = progress.records_on_cluster([configmap], [home] if home else [],
                                                    self.key)
            fresh[memo] = found
            checked += found
        self._checked = fresh
        return checked

    def close(self) -> None:
        for stop in self._stops.values():
            stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> "ClassFeed":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()
