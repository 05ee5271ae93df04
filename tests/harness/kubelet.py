"""A test "kubelet" + deployment controller that plays pod timelines shaped like real clusters.

It reads the emulator's store in-process (like an informer cache) and writes
everything through the HTTP API (pods, pod status, events), so clients' watches
see each step. What a container does comes from appmodel.predict (the lab app
contract); the shapes follow ../shared/reference/pod-status-facts.md: restart
count, CrashLoopBackOff back-off 10 s, 20 s, 40 s ... 300 s (the first restart is
immediate), `back-off Ns restarting failed container=...` messages, lastState
timestamps, containerd IDs, 1.33 event wording. Durations are multiplied by
`time_scale` (0.02: a 10 s back-off takes 0.2 s); messages keep the real values.
"""

import hashlib
import re
import secrets
import threading

from . import applog, appmodel, podstatus
from .httpapi import Gone, HttpApi
from .podrun import BACKOFF_CAP, BACKOFF_START, PodRun
from .podstatus import container_id, running, terminated, waiting
from .store import ApiError, now_rfc3339
from .wording import DEFAULT_MINOR, WORDINGS, backoff_event

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what Kubernetes uses for generated names


def template_hash(template: dict) -> str:
    digest = hashlib.sha256(repr(_sorted(template)).encode()).digest()
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:10])


def _sorted(value):
    if isinstance(value, dict):
        return sorted((k, _sorted(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _suffix() -> str:
    return "".join(secrets.choice(SAFE_ALPHABET) for _ in range(5))


class StoreView:
    """One namespace of the store, read in-process: what a pod's start-up depends on."""

    def __init__(self, store, namespace: str):
        self.store, self.namespace = store, namespace

    def get(self, resource: str, name: str) -> dict | None:
        try:
            return self.store.get(resource, self.namespace, name)
        except ApiError:
            return None

    def list(self, resource: str) -> list[dict]:
        return self.store.list(resource, self.namespace)[0]


class Kubelet:
    """Start with `start()`; `stop()` ends every timeline. One node: crashlab-control-plane."""

    def __init__(self, emulator, url: str, time_scale: float = 0.02,
                 minor: str = DEFAULT_MINOR, backoff_cap: int = BACKOFF_CAP):
        self.wording = WORDINGS[minor]  # which Kubernetes minor's kubelet it plays
        self.backoff_cap = backoff_cap  # a node may lower it (maxContainerRestartPeriod)
        self.emulator = emulator
        self.store = emulator.store
        self.api = HttpApi(url, emulator.token)
        self.time_scale = time_scale
        self.stopping = threading.Event()
        self.runs: dict[str, "PodRun"] = {}
        self._thread = threading.Thread(target=self._loop, name="test-kubelet", daemon=True)
        self._ips = iter(range(7, 250))
        self._lock = threading.Lock()

    def start(self) -> "Kubelet":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        with self.store.changed:
            self.store.changed.notify_all()
        for run in list(self.runs.values()):
            run.stop.set()
        self._thread.join(timeout=5)
        for run in list(self.runs.values()):
            run.join(timeout=5)

    def special_play(self, pod: dict):
        """The timeline for a spec that fails outside the lab app's contract, or None."""
        return pick_play(pod)

    def next_ip(self) -> str:
        with self._lock:
            return f"10.244.0.{next(self._ips)}"

    def view(self, namespace: str) -> "StoreView":
        return StoreView(self.store, namespace)

    def configmap(self, namespace: str, name: str) -> dict | None:
        try:
            return self.store.get("configmaps", namespace, name).get("data") or {}
        except ApiError:
            return None

    # ------------------------------------------------------------------ control loop

    def _loop(self) -> None:
        version = -1
        while not self.stopping.is_set():
            changes = None if version < 0 else self.store.changes_since(version)
            if changes is None:  # first pass, or history compacted: resync from the store
                version = self.store.version
                self._resync()
                continue
            if not changes:
                with self.store.changed:
                    if self.store.version == version:
                        self.store.changed.wait(0.5)
                continue
            version = changes[-1][0]
            dirty = set()
            for _, resource, kind, obj in changes:
                meta = obj["metadata"]
                if resource == "deployments":
                    dirty.add((meta["namespace"], meta["name"]))
                elif resource == "pods":
                    self._pod_changed(kind, obj)
                    owner = _owner_deployment(obj)
                    if owner:
                        dirty.add((meta["namespace"], owner))
            for namespace, name in sorted(dirty):
                self._guard(self._reconcile, namespace, name)

    def _resync(self) -> None:
        pods, _ = self.store.list("pods", None)
        live = {p["metadata"]["uid"] for p in pods}
        for uid in [u for u in self.runs if u not in live]:
            self.runs.pop(uid).stop.set()
        for pod in pods:
            self._pod_changed("ADDED", pod)
        for dep in self.store.list("deployments", None)[0]:
            self._guard(self._reconcile, dep["metadata"]["namespace"], dep["metadata"]["name"])

    def _guard(self, action, *args) -> None:
        try:
            action(*args)
        except (Gone, ApiError, OSError):
            pass  # deleted or changed under us; the next change event reconciles again

    def _pod_changed(self, kind: str, pod: dict) -> None:
        uid = pod["metadata"]["uid"]
        if kind == "DELETED":
            run = self.runs.pop(uid, None)
            if run:
                run.stop.set()
        elif uid not in self.runs and not self.stopping.is_set():
            self.runs[uid] = PodRun(self, pod)
            self.runs[uid].start()

    # ------------------------------------------------------------ deployment controller

    def _reconcile(self, namespace: str, name: str) -> None:
        pods = [p for p in self.store.list("pods", namespace)[0]
                if _owner_deployment(p) == name]
        try:
            dep = self.store.get("deployments", namespace, name)
        except ApiError:  # deleted: garbage-collect its pods
            for pod in pods:
                self._delete_pod(pod)
            return
        spec = dep.get("spec") or {}
        template = spec.get("template") or {}
        wanted = template_hash(template)
        replicas = spec.get("replicas", 1)
        new = [p for p in pods if p["metadata"]["labels"].get("pod-template-hash") == wanted]
        old = [p for p in pods if p not in new]
        rs_uid = self._ensure_replicaset(dep, wanted, replicas)
        for _ in range(replicas - len(new)):
            new.append(self._create_pod(dep, wanted, rs_uid))
        for pod in new[replicas:]:
            self._delete_pod(pod)
        ready = sum(1 for p in new[:replicas] if _ready(p))
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        if old and (recreate or ready >= replicas):
            for pod in old:
                self._delete_pod(pod)
            old = []
        self._write_deployment_status(dep, replicas, len(new) + len(old), len(new), ready)

    def _ensure_replicaset(self, dep: dict, wanted: str, replicas: int) -> str:
        meta, ns = dep["metadata"], dep["metadata"]["namespace"]
        name = f"{meta['name']}-{wanted}"
        try:
            return self.store.get("replicasets", ns, name)["metadata"]["uid"]
        except ApiError:
            pass
        template = dep["spec"].get("template") or {}
        labels = {**((template.get("metadata") or {}).get("labels") or {}),
                  "pod-template-hash": wanted}
        selector = dict((dep["spec"].get("selector") or {}).get("matchLabels") or {})
        body = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": name, "namespace": ns, "labels": labels,
                             "ownerReferences": [_owner_ref("apps/v1", "Deployment", dep)]},
                "spec": {"replicas": replicas,
                         "selector": {"matchLabels": {**selector, "pod-template-hash": wanted}},
                         "template": {**template, "metadata": {
                             **(template.get("metadata") or {}), "labels": labels}}}}
        return self.api.call("POST", f"/apis/apps/v1/namespaces/{ns}/replicasets",
                             body)["metadata"]["uid"]

    def _create_pod(self, dep: dict, wanted: str, rs_uid: str) -> dict:
        ns, dep_name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        template = dep["spec"].get("template") or {}
        tmeta = template.get("metadata") or {}
        spec = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                "serviceAccountName": "default", **(template.get("spec") or {})}
        for container in spec.get("containers") or []:
            image = container.get("image", "")
            container.setdefault("imagePullPolicy",
                                 "Always" if image.endswith(":latest") or ":" not in image
                                 else "IfNotPresent")
        rs = {"metadata": {"name": f"{dep_name}-{wanted}", "uid": rs_uid}}
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"{dep_name}-{wanted}-{_suffix()}", "namespace": ns,
                             "labels": {**(tmeta.get("labels") or {}),
                                        "pod-template-hash": wanted},
                             "annotations": dict(tmeta.get("annotations") or {}),
                             "ownerReferences": [_owner_ref("apps/v1", "ReplicaSet", rs)]},
                "spec": spec, "status": {"phase": "Pending", "qosClass": _qos(spec)}}
        return self.api.call("POST", f"/api/v1/namespaces/{ns}/pods", body)

    def _delete_pod(self, pod: dict) -> None:
        meta = pod["metadata"]
        try:
            self.api.call("DELETE", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}")
        except Gone:
            pass

    def _write_deployment_status(self, dep, replicas, total, updated, ready) -> None:
        available = ready >= replicas
        status = {
            "observedGeneration": dep["metadata"].get("generation", 1),
            "replicas": total, "updatedReplicas": updated, "readyReplicas": ready,
            "availableReplicas": ready, "unavailableReplicas": max(0, total - ready),
            "conditions": [{
                "type": "Available", "status": "True" if available else "False",
                "reason": "MinimumReplicasAvailable" if available
                else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability." if available
                else "Deployment does not have minimum availability."}],
        }
        if not ready:
            status.pop("readyReplicas")
            status.pop("availableReplicas")
        old = dep.get("status") or {}
        if {k: v for k, v in old.items() if k != "conditions"} == \
                {k: v for k, v in status.items() if k != "conditions"}:
            return
        for cond in status["conditions"]:
            cond["lastUpdateTime"] = cond["lastTransitionTime"] = now_rfc3339()
        meta = dep["metadata"]
        self.api.merge_patch(f"/apis/apps/v1/namespaces/{meta['namespace']}/deployments/"
                             f"{meta['name']}/status", {"status": status})


def _owner_ref(api_version: str, kind: str, obj: dict) -> dict:
    return {"apiVersion": api_version, "kind": kind, "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _owner_deployment(pod: dict) -> str | None:
    for ref in pod["metadata"].get("ownerReferences") or []:
        hash_ = (pod["metadata"].get("labels") or {}).get("pod-template-hash")
        if ref.get("kind") == "ReplicaSet" and hash_ and ref["name"].endswith(f"-{hash_}"):
            return ref["name"][: -len(hash_) - 1]
    return None


def _ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _qos(spec: dict) -> str:
    resources = [c.get("resources") or {} for c in spec.get("containers") or []]
    if not any(r.get("limits") or r.get("requests") for r in resources):
        return "BestEffort"
    guaranteed = all(
        (r.get("limits") or {}).get(k) and
        (r.get("requests") or {}).get(k, (r.get("limits") or {}).get(k)) ==
        (r.get("limits") or {}).get(k) for r in resources for k in ("cpu", "memory"))
    return "Guaranteed" if guaranteed else "Burstable"



# ------------------------------------------------------------------ plays beyond the lab app
# Chosen from the pod spec, as a node would meet it (pod-status-facts.md):
# - an init container whose command ends in `exit N` (N > 0): Init:Error / Init:CrashLoopBackOff
# - a startupProbe on a path the app does not serve: "failed startup probe, will be restarted"
# - an ephemeral-storage limit under 1 MiB: the pod is evicted (phase Failed, reason Evicted)
# - a hostPath volume under /sys or /proc (read-only on the node): CreateContainerError

def pick_play(pod: dict):
    spec = pod.get("spec") or {}
    inits = spec.get("initContainers") or []
    if inits and _init_exit_code(inits[0]):
        return play_init_failure
    main = (spec.get("containers") or [{}])[0]
    if appmodel._probe(main, "startupProbe", 8080)[0]:
        return play_startup_kill
    limit = ((main.get("resources") or {}).get("limits") or {}).get("ephemeral-storage")
    if limit is not None and (appmodel.parse_quantity_mib(limit) or 0) < 1:
        return play_eviction
    if _read_only_host_path(spec, main):
        return play_create_container_error
    return None


def _init_exit_code(init: dict) -> int:
    script = " ".join(str(part) for part in (init.get("command") or []) + (init.get("args") or []))
    match = re.search(r"\bexit ([1-9]\d*)\s*$", script)
    return int(match.group(1)) if match else 0


def _read_only_host_path(spec: dict, main: dict) -> str | None:
    mounted = {m.get("name") for m in main.get("volumeMounts") or []}
    for volume in spec.get("volumes") or []:
        path = (volume.get("hostPath") or {}).get("path") or ""
        if volume.get("name") in mounted and path.startswith(("/sys/", "/proc/")):
            return path
    return None


def _backoff(run, restarts: int) -> int:
    return min(run.kubelet.backoff_cap, BACKOFF_START * 2 ** max(restarts - 1, 0))


def play_init_failure(run) -> None:
    """The init container exits N again and again; the app container waits PodInitializing."""
    init = run.pod["spec"]["initContainers"][0]
    name, code = init["name"], _init_exit_code(init)
    image, image_id = podstatus.image_ref(init.get("image", ""))
    ns = run.meta["namespace"]
    restarts, last = 0, None
    app = run._container(waiting("PodInitializing"), None, 0, False, False, None)
    while True:
        cid = container_id()
        for reason, message in (("Pulled", f'Container image "{init.get("image", "")}" already present on machine'),
                                ("Created", run.kubelet.wording.created_message(name)),
                                ("Started", run.kubelet.wording.started_message(name))):
            run.kubelet.api.call("POST", f"/api/v1/namespaces/{ns}/events",
                                 podstatus.init_event(run.pod, name, reason, message))
        started_at = now_rfc3339()
        run._sleep(1.0)
        # busybox nc when the Service name does not resolve (what `nc -z db 5432` prints)
        run.kubelet.emulator.set_log(ns, run.meta["name"], name, "nc: bad address 'db'\n",
                                     "nc: bad address 'db'\n" if restarts else None)
        last = terminated("Error", code, started_at, cid)
        state = last if restarts == 0 else waiting(
            "CrashLoopBackOff", f"back-off {_backoff(run, restarts)}s restarting failed container={name} "
            f"pod={run.meta['name']}_{ns}({run.meta['uid']})")
        run.status["initContainerStatuses"] = [{
            "name": name, "image": image, "imageID": image_id, "containerID": cid, "ready": False,
            "started": False, "restartCount": restarts, "state": state,
            "lastState": last if restarts else {}}]
        run._write("Pending", app, False, True)
        run.status["conditions"] = podstatus.init_conditions(now_rfc3339())
        run.kubelet.api.merge_patch(run.path + "/status", {"status": run.status})
        if restarts:
            run.kubelet.api.call("POST", f"/api/v1/namespaces/{ns}/events", podstatus.init_event(
                run.pod, name, "BackOff", backoff_event(name, run.pod), "Warning"))
        run._sleep(_backoff(run, restarts))
        restarts += 1


def play_startup_kill(run) -> None:
    """The app serves, but not the startup probe's path: kubelet kills it after failureThreshold."""
    main, c = run.main, run.main["name"]
    detail, path = appmodel._probe(main, "startupProbe", 8080)
    probe = main["startupProbe"]
    threshold, period = int(probe.get("failureThreshold", 3)), float(probe.get("periodSeconds", 10))
    restarts, last, previous_log = 0, None, None
    while True:
        cid, started_at = container_id(), now_rfc3339()
        run._event("Pulled", f'Container image "{main.get("image", "")}" already present on machine')
        run._event("Created", run.kubelet.wording.created_message(c))
        run._event("Started", run.kubelet.wording.started_message(c))
        log = applog.listening(8080)
        run._set_log(log, previous_log)
        run._write("Running", run._container(running(started_at), last, restarts, False, False, cid),
                   False, True)
        for _ in range(threshold):
            run._sleep(period)
            log += applog.request(path, 404)
            run._set_log(log, previous_log)
            run._event("Unhealthy", f"Startup probe failed: {detail}", "Warning")
        run._event("Killing", f"Container {c} failed startup probe, will be restarted")
        log += applog.line("INFO", "received SIGTERM, shutting down")
        last = terminated("Error", 143, started_at, cid)  # the lab app exits 143 on SIGTERM
        run._set_log(log, previous_log)
        previous_log = log
        if restarts:
            run._write("Running", run._container(waiting("CrashLoopBackOff", podstatus.backoff_message(
                _backoff(run, restarts), c, run.pod)), last, restarts, False, False, cid), False, True)
            run._event("BackOff", backoff_event(c, run.pod), "Warning")
            run._sleep(_backoff(run, restarts))
        restarts += 1


def play_eviction(run) -> None:
    """The container writes past its ephemeral-storage limit: the eviction manager evicts the pod."""
    main, c = run.main, run.main["name"]
    limit = main["resources"]["limits"]["ephemeral-storage"]
    cid, started_at = container_id(), now_rfc3339()
    run._event("Pulled", f'Container image "{main.get("image", "")}" already present on machine')
    run._event("Created", run.kubelet.wording.created_message(c))
    run._event("Started", run.kubelet.wording.started_message(c))
    run._set_log(applog.listening(8080), None)
    run._write("Running", run._container(running(started_at), None, 0, True, True, cid), True, True)
    run._sleep(2.0)
    message = podstatus.ephemeral_storage_message(c, str(limit))
    run._event("Evicted", message, "Warning", container=False)
    run._event("Killing", f"Stopping container {c}")
    statuses = [run._container(terminated("Error", 143, started_at, cid), None, 0, False, False, cid)]
    run.status.update(podstatus.evicted_status(message, now_rfc3339()))
    run.status["containerStatuses"] = statuses
    run.kubelet.api.merge_patch(run.path + "/status", {"status": run.status})
    run.stop.wait()  # a Failed pod stays listed; nothing restarts it


def play_create_container_error(run) -> None:
    """containerd cannot create the container; kubelet retries with back-off, restartCount 0."""
    main, c = run.main, run.main["name"]
    host_path = _read_only_host_path(run.pod["spec"], main)
    attempts = 0
    while True:
        message = podstatus.create_container_error_message(secrets.token_hex(32), host_path)
        run._event("Pulled", f'Container image "{main.get("image", "")}" already present on machine')
        run._event("Failed", f"Error: {message}", "Warning")
        run._write("Pending", run._container(waiting("CreateContainerError", message), None, 0, False,
                                             False, None), False, True)
        attempts += 1
        run._sleep(_backoff(run, attempts))
