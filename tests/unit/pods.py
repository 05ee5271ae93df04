"""Pod dicts shaped as the API returns them (../shared/reference/pod-status-facts.md)."""

import copy

# kubelet's waiting message while backing off (pkg/kubelet/kuberuntime/kuberuntime_manager.go:
# "back-off %s restarting failed container=%s pod=%s").
BACKOFF_MESSAGE = ("back-off 20s restarting failed container=app "
                   "pod=web-7d4b9c8f6d-x2x9q_crashlab-ada-oom-killed(6f1c2d3e-0000-4000-8000-000000000001)")


def oom_pod(name="web-7d4b9c8f6d-x2x9q", uid="uid-1", created="2026-11-25T10:00:00Z",
            restarts=2, namespace="crashlab-ada-oom-killed"):
    """OOMKilled, exit 137, now waiting in CrashLoopBackOff (section 2)."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "uid": uid,
                         "creationTimestamp": created, "resourceVersion": "100",
                         "labels": {"app": "web", "pod-template-hash": "7d4b9c8f6d"}},
            "spec": {"containers": [{"name": "app", "image": "crashlab/lab-app:0.1.0"}]},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "app", "ready": False, "restartCount": restarts,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": BACKOFF_MESSAGE}},
                "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                                             "startedAt": "2026-11-25T10:00:40Z",
                                             "finishedAt": "2026-11-25T10:00:41Z"}}}]}}


def running_pod(name="web-5c6d7e8f9a-abcde", uid="uid-2", created="2026-11-25T10:05:00Z",
                started="2026-11-25T10:05:03Z", restarts=0):
    pod = oom_pod(name, uid, created, restarts)
    pod["metadata"]["labels"]["pod-template-hash"] = "5c6d7e8f9a"
    pod["status"]["containerStatuses"][0].update(
        ready=True, state={"running": {"startedAt": started}}, lastState={})
    pod["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    return pod


def creating_pod(name="web-5c6d7e8f9a-fghij", uid="uid-3"):
    pod = running_pod(name, uid)
    pod["status"] = {"phase": "Pending", "containerStatuses": [{
        "name": "app", "ready": False, "restartCount": 0,
        "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}}]}
    return pod


def with_(pod, **meta):
    pod = copy.deepcopy(pod)
    pod["metadata"].update(meta)
    return pod
