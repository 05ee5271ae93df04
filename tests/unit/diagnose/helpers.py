"""Small builders for pod/event dicts shaped like kubelet reports them (pod-status-facts.md)."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "diagnose"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


def container_status(name="app", *, state=None, last=None, restarts=0, ready=False):
    status = {"name": name, "ready": ready, "restartCount": restarts, "state": state or {}}
    if last is not None:
        status["lastState"] = {"terminated": last}
    return status


def pod(*statuses, name="web-0", namespace="lab", init=(), specs=None):
    spec = {"containers": specs or [{"name": s["name"]} for s in statuses]}
    status = {"phase": "Running", "containerStatuses": list(statuses)}
    if init:
        status["initContainerStatuses"] = list(init)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": spec, "status": status}


def event(reason, message, *, type_="Warning", count=1, pod_name="web-0", container=None):
    involved = {"kind": "Pod", "name": pod_name, "namespace": "lab"}
    if container:
        involved["fieldPath"] = f"spec.containers{{{container}}}"
    return {"type": type_, "reason": reason, "message": message, "count": count,
            "involvedObject": involved}


CRASHLOOP = {"waiting": {"reason": "CrashLoopBackOff"}}
