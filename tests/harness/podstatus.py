"""Pure builders for pod/container status and Event bodies shaped like kubelet 1.33 writes them."""

import secrets

from .store import now_rfc3339

NODE = "crashlab-control-plane"
HOST_IP = "172.18.0.2"
EPOCH = "1970-01-01T00:00:00Z"


def container_id() -> str:
    return "containerd://" + secrets.token_hex(32)


def image_ref(image: str) -> tuple[str, str]:
    """(status.image, status.imageID) as containerd reports them for a loaded image."""
    name = image if "/" in image.split(":")[0] else f"library/{image}"
    repo = name.rsplit(":", 1)[0] if ":" in name.split("/")[-1] else name
    return f"docker.io/{name}", f"docker.io/{repo}@sha256:{secrets.token_hex(32)}"


def waiting(reason: str, message: str | None = None) -> dict:
    state = {"reason": reason}
    if message:
        state["message"] = message
    return {"waiting": state}


def running(started_at: str) -> dict:
    return {"running": {"startedAt": started_at}}


def terminated(reason: str, exit_code: int, started_at: str, cid: str,
               message: str | None = None) -> dict:
    state = {"containerID": cid, "exitCode": exit_code, "finishedAt": now_rfc3339(),
             "reason": reason, "startedAt": started_at}
    if message:
        state["message"] = message
    return {"terminated": state}


def backoff_message(delay: int, container: str, pod: dict) -> str:
    meta = pod["metadata"]
    return (f"back-off {delay}s restarting failed container={container} "
            f"pod={meta['name']}_{meta['namespace']}({meta['uid']})")


def conditions(ready: bool, started: bool, container_names: list[str], since: str) -> list[dict]:
    not_ready = ", ".join(container_names)

    def cond(kind, ok, reason=None):
        entry = {"type": kind, "status": "True" if ok else "False", "lastProbeTime": None,
                 "lastTransitionTime": since}
        if not ok and reason:
            entry["reason"] = reason
            entry["message"] = f"containers with unready status: [{not_ready}]"
        return entry

    return [cond("PodReadyToStartContainers", started), cond("Initialized", True),
            cond("Ready", ready, "ContainersNotReady"),
            cond("ContainersReady", ready, "ContainersNotReady"), cond("PodScheduled", True)]


def event(pod: dict, reason: str, message: str, kind: str = "Normal",
          container: str | None = None, component: str = "kubelet") -> dict:
    meta = pod["metadata"]
    now = now_rfc3339()
    involved = {"apiVersion": "v1", "kind": "Pod", "name": meta["name"],
                "namespace": meta["namespace"], "uid": meta["uid"],
                "resourceVersion": meta.get("resourceVersion")}
    if container:
        involved["fieldPath"] = f"spec.containers{{{container}}}"
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{meta['name']}.{secrets.token_hex(8)}",
                         "namespace": meta["namespace"]},
            "involvedObject": involved, "reason": reason, "message": message, "type": kind,
            "source": {"component": component, **({"host": NODE} if component == "kubelet"
                                                   else {})},
            "reportingComponent": component, "reportingInstance": NODE if component ==
            "kubelet" else "", "firstTimestamp": now, "lastTimestamp": now, "count": 1}


# ---- plays for the causes beyond the lab's five (issue #14): init container, startup probe,
# ---- eviction, CreateContainerError. Shapes: ../shared/reference/pod-status-facts.md.

def init_conditions(since: str) -> list[dict]:
    """An init container has not completed: Initialized False (ContainersNotInitialized)."""
    def cond(kind, ok, reason=None, message=None):
        entry = {"type": kind, "status": "True" if ok else "False", "lastProbeTime": None,
                 "lastTransitionTime": since}
        if reason:
            entry.update(reason=reason, message=message)
        return entry

    return [cond("PodReadyToStartContainers", True),
            cond("Initialized", False, "ContainersNotInitialized",
                 "containers with incomplete status: [init]"),
            cond("Ready", False, "ContainersNotReady", "containers with unready status: [app]"),
            cond("ContainersReady", False, "ContainersNotReady", "containers with unready status: [app]"),
            cond("PodScheduled", True)]


def evicted_status(message: str, since: str) -> dict:
    """Pod-level fields kubelet's eviction manager writes (pkg/kubelet/eviction/helpers.go
    Reason = "Evicted"; the DisruptionTarget condition since 1.26)."""
    return {"phase": "Failed", "reason": "Evicted", "message": message,
            "conditions": [{"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                            "lastTransitionTime": since, "reason": "TerminationByKubelet",
                            "message": message}]}


def ephemeral_storage_message(container: str, limit: str) -> str:
    """pkg/kubelet/eviction/helpers.go containerEphemeralStorageMessageFmt (trailing space kept)."""
    return f'Container {container} exceeded its local ephemeral storage limit "{limit}". '


def create_container_error_message(cid: str, host_path: str) -> str:
    """containerd internal/cri/opts WithMounts (v1.7/v2.0): a missing hostPath source is
    created with MkdirAll; on a read-only node path that fails, and CreateContainer returns it
    (kubelet: waiting reason CreateContainerError, event `Error: <message>`)."""
    return (f'failed to generate container "{cid}" spec: failed to generate spec: failed to mkdir '
            f'"{host_path}": mkdir {host_path}: read-only file system')


def init_event(pod: dict, init_name: str, reason: str, message: str, kind: str = "Normal") -> dict:
    body = event(pod, reason, message, kind)
    body["involvedObject"]["fieldPath"] = f"spec.initContainers{{{init_name}}}"
    return body
