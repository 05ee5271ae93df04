"""The session's cluster edge: a small interface over runner.cluster, and a pod tracker fed
by watches (one background thread; waiters block on a condition, nothing polls the API)."""

from __future__ import annotations

import datetime
import threading
import time

from runner.expect import Observation

MERGE_PATCH = "application/merge-patch+json"


class LabCluster:
    """What the session does to the cluster; everything goes through runner.cluster."""

    def __init__(self, cluster):
        self.cluster = cluster

    @property
    def context(self) -> str:
        return self.cluster.context

    @property
    def server(self) -> str:
        return self.cluster.server

    def _path(self, namespace: str, kind: str, name: str, api_version: str | None = None) -> str:
        from runner.cluster import NAMESPACED_KINDS

        key = next(k for k in NAMESPACED_KINDS if k[1] == kind
                   and (api_version is None or k[0] == api_version))
        prefix, plural = NAMESPACED_KINDS[key]
        return f"{prefix}/namespaces/{namespace}/{plural}/{name}"

    def ensure_namespace(self, namespace: str, labels: dict) -> None:
        self.cluster.ensure_namespace(namespace, labels)

    def get(self, namespace: str, kind: str, name: str) -> dict | None:
        from runner.cluster import ApiStatusError

        try:
            return self.cluster.request("GET", self._path(namespace, kind, name),
                                        doing=f"reading {kind}/{name} in {namespace}")
        except ApiStatusError as problem:
            if problem.status == 404:
                return None
            raise

    def apply_one(self, obj: dict, namespace: str, labels: dict) -> dict:
        return self.cluster.apply([obj], namespace, labels=labels)[0]

    def restart(self, namespace: str, kind: str, name: str, patch: dict) -> dict:
        return self.cluster.request("PATCH", self._path(namespace, kind, name), body=patch,
                                    content_type=MERGE_PATCH,
                                    doing=f"restarting {kind}/{name} in {namespace}")

    def events(self, namespace: str, pod: str) -> list[dict]:
        return self.cluster.list_pod_events(namespace, pod)

    def logs(self, namespace: str, pod: str, container: str, previous: bool) -> str | None:
        from runner.errors import ClusterError

        try:
            return self.cluster.read_logs(namespace, pod, container, previous=previous)
        except ClusterError:
            return None  # the container never ran, or its pod is gone: no logs to show

    def watch(self, namespaces: list[str]):
        return self.cluster.watch_pods_many(namespaces)

    def owned_namespaces(self) -> list[dict]:
        return self.cluster.list_owned_namespaces()

    def delete_namespace(self, name: str):
        return self.cluster.delete_namespace(name)

    def delete_owned(self, namespace: str, kind: str) -> list[str]:
        """Delete the lab's own objects of one kind in `namespace` (for users who may not
        delete namespaces, like workshop participants); returns "Kind/name" of each."""
        from runner import ownership
        from runner.cluster import ApiStatusError

        listing = self._path(namespace, kind, "").rstrip("/")
        try:
            items = self.cluster.request("GET", listing, doing=f"listing {kind}s in {namespace}",
                                         query={"labelSelector": ownership.OWNED_SELECTOR})
        except ApiStatusError as problem:
            if problem.status == 404:
                return []
            raise
        deleted = []
        for item in items.get("items") or []:
            meta = item.get("metadata") or {}
            if not ownership.is_owned(meta.get("labels")):
                continue  # belt and braces: the label selector already asked for the lab's only
            try:
                self.cluster.request("DELETE", self._path(namespace, kind, meta["name"]),
                                     doing=f"deleting {kind}/{meta['name']} in {namespace}")
            except ApiStatusError as problem:
                if problem.status != 404:
                    raise
            deleted.append(f"{kind}/{meta['name']}")
        return deleted

    def close(self) -> None:
        self.cluster.close()


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
        self._error: BaseException | None = None
        self.version = 0
        self.listeners: list = []
        self._thread = threading.Thread(target=self._drain, name="crashlab-pods", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            for namespace, kind, pod in self._watcher:
                self._record(kind, pod)
        except BaseException as problem:  # noqa: BLE001 - handed to the waiting thread
            with self.changed:
                self._error = problem
                self.changed.notify_all()

    def _record(self, kind: str, pod: dict) -> None:
        uid = (pod.get("metadata") or {}).get("uid") or (pod.get("metadata") or {}).get("name")
        with self.changed:
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
                    and self._pods[uid]["metadata"].get("name", "").startswith(prefix)]

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
                    and self._pods[uid]["metadata"].get("name", "").startswith(prefix)}

    def now(self) -> float:
        return self._clock()

    def close(self) -> None:
        self._watcher.close()
