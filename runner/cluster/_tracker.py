"""Every pod of some namespaces, kept current by a PodWatcher: one background thread drains
the watch; waiters block on a condition, nothing polls the API. Each pod keeps its history
of snapshots (monotonic time for judging, wall time for the restart timeline), and when each
namespace's view was last known current: a watch event or bookmark arrived, or a fresh read
(`observe`) was folded in."""

from __future__ import annotations

import datetime
import threading
import time

from runner.expect import Observation
from runner.podfacts import is_pod_of, newest_pod


class PodTracker:
    """Every pod of the followed namespaces, with its history of snapshots."""

    def __init__(self, watcher, clock=time.monotonic):
        self._watcher = watcher
        self._clock = clock
        self.changed = threading.Condition()
        self._pods: dict[str, dict] = {}                 # uid -> latest pod
        self._gone: set[str] = set()
        self._history: dict[str, list[Observation]] = {}
        self._wall: dict[str, list[tuple[datetime.datetime, dict]]] = {}
        self._order: list[str] = []
        self._heard: dict[str, float] = {}               # namespace -> last word from the API
        self._error: BaseException | None = None
        self.version = 0
        self.listeners: list = []
        self._thread = threading.Thread(target=self._drain, name="crashlab-pods", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            for namespace, kind, pod in self._watcher:
                self._record(namespace, kind, pod)
        except BaseException as problem:  # noqa: BLE001 - handed to the waiting thread
            with self.changed:
                self._error = problem
                self.changed.notify_all()

    def _record(self, namespace: str, kind: str, pod: dict) -> None:
        if kind == "BOOKMARK":
            with self.changed:
                self._heard[namespace] = self._clock()
                self.version += 1
                self.changed.notify_all()
            return
        uid = (pod.get("metadata") or {}).get("uid") or (pod.get("metadata") or {}).get("name")
        with self.changed:
            self._heard[namespace] = self._clock()
            if uid not in self._pods:
                self._order.append(uid)
            self._pods[uid] = pod
            if kind == "DELETED":
                self._gone.add(uid)
            else:
                self._history.setdefault(uid, []).append(Observation(self._clock(), pod))
                self._wall.setdefault(uid, []).append(
                    (datetime.datetime.now(datetime.timezone.utc), pod))
            self.version += 1
            self.changed.notify_all()
        for listener in list(self.listeners):
            listener(kind, pod)

    def heard(self, namespace: str) -> float | None:
        """When (on this tracker's clock) the API last showed the view of `namespace` current."""
        with self.changed:
            return self._heard.get(namespace)

    def observe(self, namespace: str, prefix: str, pods: list[dict]) -> None:
        """Fold in a fresh read of the workload's pods: what changed becomes a snapshot, a pod
        missing from it is gone, and the namespace's view counts as current from now."""
        with self.changed:
            now = self._clock()
            listed = {(p.get("metadata") or {}).get("uid") for p in pods}
            for uid in self._order:
                meta = self._pods[uid].get("metadata") or {}
                if meta.get("namespace") == namespace and is_pod_of(meta.get("name", ""),
                                                                    prefix) and uid not in listed:
                    self._gone.add(uid)
            for pod in pods:
                uid = pod["metadata"]["uid"]
                known = self._pods.get(uid)
                if uid not in self._pods:
                    self._order.append(uid)
                self._pods[uid] = pod
                self._gone.discard(uid)
                if known is None or _version(known) != _version(pod):
                    self._history.setdefault(uid, []).append(Observation(now, pod))
                    self._wall.setdefault(uid, []).append(
                        (datetime.datetime.now(datetime.timezone.utc), pod))
            self._heard[namespace] = now
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen_version: int, timeout: float | None) -> int:
        """Block until something changed after `seen_version` (or timeout); the new version."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen_version or self._error,
                                  timeout=timeout)
            if self._error is not None:
                raise self._error
            return self.version

    def pods(self, namespace: str, prefix: str = "") -> list[dict]:
        """Live pods of `namespace` whose name starts with `prefix`, oldest first."""
        with self.changed:
            return [self._pods[uid] for uid in self._order if uid not in self._gone
                    and self._pods[uid]["metadata"].get("namespace") == namespace
                    and is_pod_of(self._pods[uid]["metadata"].get("name", ""), prefix)]

    def newest(self, namespace: str, prefix: str, exclude=frozenset()) -> dict | None:
        """The workload's newest live pod, leaving out the uids in `exclude`."""
        return newest_pod([p for p in self.pods(namespace, prefix)
                           if p["metadata"].get("uid") not in exclude])

    def uids(self, namespace: str, prefix: str = "") -> set[str]:
        return {p["metadata"]["uid"] for p in self.pods(namespace, prefix)}

    def history(self, uid: str) -> list[Observation]:
        with self.changed:
            return list(self._history.get(uid, []))

    def snapshots(self, namespace: str, prefix: str) -> dict[str, list[tuple]]:
        """uid -> [(time seen, pod)] for every pod of the workload seen, oldest pod first."""
        with self.changed:
            return {uid: list(self._wall.get(uid, [])) for uid in self._order
                    if self._pods[uid]["metadata"].get("namespace") == namespace
                    and is_pod_of(self._pods[uid]["metadata"].get("name", ""), prefix)}

    def now(self) -> float:
        return self._clock()

    def close(self) -> None:
        self._watcher.close()


def _version(pod: dict) -> str | None:
    return (pod.get("metadata") or {}).get("resourceVersion")
