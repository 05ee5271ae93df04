"""Table rows and bare messages people paste: `kubectl get pods`, `kubectl get events`,
the Events rows of `kubectl describe`, and kubelet event messages on their own."""

import re

from runner.diagnose.events import split_message_prefix

_TYPE_REASON = re.compile(r"(?:^|\s)(Normal|Warning)\s+([A-Z][A-Za-z]+)(?:\s+|$)(.*)$")
_AGE = re.compile(r"^(?:<unknown>|<invalid>|\d+[smhdy](?:\d+[smhd])*|\d+:\d+|[a-z]+ ago)"
                  r"(?:\s+\(x(\d+) (?:over|from|starting) [^)]*\)?)?\s*")
_OBJECT = re.compile(r"^([a-z][\w.-]*/[\w.:-]+)\s*")
_SUBOBJECT = re.compile(r"^spec\.(?:initContainers|containers|ephemeralContainers)\{[^}]*\}\s*")
_SOURCE = re.compile(r"^(kubelet(?:,\s*[\w.-]+)?|\{kubelet [^}]*\}|default-scheduler|"
                     r"[a-z][\w-]*-(?:controller|scheduler|manager)(?:,\s*[\w.-]+)?|"
                     r"kernel-monitor(?:,\s*[\w.-]+)?|taint-controller|node-controller)(?:\s{2,}|\s+(?=[A-Z<(\"]|spec\.))")
_COUNT_TOKEN = re.compile(r"(?:^|\s)(\d+)\s+[\w.-]+\s+Pod\s")

# Message starts that identify a bare kubelet event: (regex, type, reason).
_BARE = tuple((re.compile(p, re.I), t, r) for p, t, r in (
    (r"^Back-?off restarting failed container", "Warning", "BackOff"),
    (r"^Back-?off pulling image", "Normal", "BackOff"),
    (r"^(?:Liveness|Readiness|Startup) probe (?:failed|errored)", "Warning", "Unhealthy"),
    (r"^Container [\w.-]+ failed (?:liveness|startup) probe", "Normal", "Killing"),
    # kubelet before 1.9 (dockershim): "Killing container with id docker://app:Container failed
    # liveness probe.. Container will be killed and recreated."
    (r"^Killing container with id ", "Normal", "Killing"),
    # Runtime failures without kubelet's "Error: " (copied from a UI or an aggregator):
    # containerd "failed to create containerd task", runc "OCI runtime create failed",
    # Docker "oci runtime error: container_linux.go:...", CRI-O "container create failed: ...".
    (r"^(?:failed to (?:create|start) containerd task|failed to create shim task|OCI runtime "
     r"(?:create|start|exec) failed|oci runtime error|container create failed|Error response from daemon"
     r"|failed to start container|failed to prepare subPath|failed to generate container)", "Warning", "Failed"),
    (r"^(?:CreateContainerError|RunContainerError|CrashLoopBackOff|ImagePullBackOff|ErrImagePull"
     r"|CreateContainerConfigError)\b:?", "Warning", "Failed"),
    # kubelet eviction manager (pkg/kubelet/eviction/helpers.go): "The node was low on resource: %v. "
    (r"^(?:The node was low on resource|The node had condition)", "Warning", "Evicted"),
    (r"^Failed to pull image", "Warning", "Failed"),
    (r"^Error: ", "Warning", "Failed"),
    (r"^MountVolume\.\w+ failed", "Warning", "FailedMount"),
    (r"^Unable to attach or mount volumes", "Warning", "FailedMount"),
    (r"^Error syncing pod", "Warning", "FailedSync"),
    (r"^Memory cgroup out of memory", "Warning", "OOMKilling"),
    (r"^(?:Created container|Container created)", "Normal", "Created"),
    (r"^(?:Started container|Container started)", "Normal", "Started"),
    (r"^(?:Successfully pulled image|Container image .* already present)", "Normal", "Pulled"),
    (r"^Pulling image", "Normal", "Pulling"),
    (r"^Successfully assigned", "Normal", "Scheduled"),
    (r"^Stopping container", "Normal", "Killing"),
))
_PROMPT = re.compile(r"^\s*(?:(?:\([\w.-]+\)\s*)?[\w@.:~/\[\] -]*[$#%>]\s+|PS [^>]*>\s*)")


def parse_event_row(line: str) -> dict | None:
    """An event dict from a describe Events row or a `kubectl get events` row."""
    match = _TYPE_REASON.search(line)
    if not match:
        return None
    prefix, (etype, reason, rest) = line[: match.start()], match.groups()
    if reason in ("Type", "Reason"):
        return None
    count = 1
    obj_name, field_path, source = None, None, None
    age = _AGE.match(rest)
    if age and age.group(0).strip():
        if age.group(1):
            count = int(age.group(1))
        rest = rest[age.end():]
    obj = _OBJECT.match(rest)
    if obj:
        obj_name = obj.group(1)
        rest = rest[obj.end():]
    sub = _SUBOBJECT.match(rest)
    if sub:
        field_path = sub.group(0).strip()
        rest = rest[sub.end():]
    src = _SOURCE.match(rest)
    if src:
        source = src.group(1)
        rest = rest[src.end():]
    message = rest.strip()
    if not message:
        return None
    prefix_path = re.search(r"spec\.(?:initContainers|containers)\{[^}]*\}", prefix)
    if prefix_path and not field_path:
        field_path = prefix_path.group(0)
    old_count = _COUNT_TOKEN.search(" " + prefix)
    if old_count and count == 1:
        count = int(old_count.group(1))
    return _event(etype, reason, message, count, obj_name, field_path, source)


def parse_bare_message(line: str) -> dict | None:
    text, field_path = split_message_prefix(line.strip())
    for pattern, etype, reason in _BARE:
        if pattern.search(text):
            return _event(etype, reason, text, 1, None, field_path, None)
    return None


def _event(etype, reason, message, count, obj_name, field_path, source) -> dict:
    involved: dict = {"kind": "Pod"}
    if obj_name:
        kind, _, name = obj_name.partition("/")
        involved = {"kind": kind.capitalize() if kind == "pod" else kind, "name": name}
    if field_path:
        involved["fieldPath"] = field_path
    event = {"type": etype, "reason": reason, "message": message, "count": count,
             "involvedObject": involved}
    if source:
        component, _, host = source.strip("{}").replace("kubelet ", "kubelet,").partition(",")
        event["source"] = {"component": component.strip(), **({"host": host.strip()} if host.strip() else {})}
    return event


# ---- kubectl get pods ------------------------------------------------------------------

_READY = re.compile(r"^\d+/\d+$")
_WAITING = {"CrashLoopBackOff", "RunContainerError", "CreateContainerConfigError",
            "CreateContainerError", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "ErrImageNeverPull", "ContainerCreating", "PodInitializing"}
_TERMINATED = {"Error", "OOMKilled", "Completed", "ContainerCannotRun", "StartError",
               "DeadlineExceeded"}


def parse_get_pods_row(line: str) -> dict | None:
    """A pod dict from one `kubectl get pods` row (NAME READY STATUS RESTARTS AGE ...)."""
    tokens = line.split()
    for index in (1, 2):
        if len(tokens) > index + 2 and _READY.match(tokens[index]) and tokens[index + 2].isdecimal():
            break
    else:
        return None
    name = tokens[index - 1].removeprefix("pod/")
    namespace = tokens[index - 2] if index == 2 else None
    ready, total = (int(n) for n in tokens[index].split("/"))
    return pod_from_status_column(name, namespace, tokens[index + 1], int(tokens[index + 2]),
                                  ready, total)


def pod_from_status_column(name, namespace, status: str, restarts: int, ready: int = 0,
                           total: int = 1) -> dict:
    init = status.startswith("Init:")
    reason = status.removeprefix("Init:")
    container: dict = {"restartCount": restarts, "ready": ready >= total and total > 0}
    phase = "Running"
    pod_reason = None
    if reason == "Evicted":
        # An evicted pod: phase Failed, status.reason Evicted (pkg/printers: STATUS is the reason).
        phase, pod_reason = "Failed", "Evicted"
        container["state"] = {"terminated": {}}
    elif reason in _WAITING:
        container["state"] = {"waiting": {"reason": reason}}
        phase = "Pending" if restarts == 0 else "Running"
    elif reason in _TERMINATED:
        term: dict = {"reason": reason}
        if reason == "Completed":
            term["exitCode"] = 0
        container["state"] = {"terminated": term}
    elif reason.startswith(("ExitCode:", "Signal:")):
        key, _, value = reason.partition(":")
        code = int(value) if value.lstrip("-").isdecimal() else 0
        container["state"] = {"terminated": {"exitCode": code if key == "ExitCode" else 128 + code}}
    elif reason == "Running" or re.match(r"^\d+/\d+$", reason):
        container["state"] = {"running": {}}
    else:
        phase = reason
    status_dict: dict = {"phase": phase}
    if pod_reason:
        status_dict["reason"] = pod_reason
    if init:
        status_dict["phase"] = "Pending"
        status_dict["initContainerStatuses"] = [container]
        status_dict["containerStatuses"] = [{"ready": False, "restartCount": 0,
                                             "state": {"waiting": {"reason": "PodInitializing"}}}]
    else:
        status_dict["containerStatuses"] = [container]
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "status": status_dict}


def merge_watch_rows(pods: list[dict]) -> list[dict]:
    """`kubectl get pods --watch` prints one pod on many rows: keep the newest row, with the
    last termination an earlier row showed (OOMKilled, Error...) as its lastState.

    Only pods built from table rows (`_row_status`) are merged; others pass through."""
    merged: dict = {}
    for index, pod in enumerate(pods):
        first = _row_status(pod)
        name = pod["metadata"].get("name") if first is not None else None
        key = name if isinstance(name, str) else ("#", index)
        earlier = merged.get(key)
        merged[key] = pod
        if earlier is None or first is None:
            continue
        before = _row_status(earlier)
        terminated = _row_terminated(before)
        if terminated and "lastState" not in first and "terminated" not in first.get("state", {}):
            first["lastState"] = {"terminated": terminated}
        if earlier["status"].get("reason") and not pod["status"].get("reason"):
            pod["status"]["reason"], pod["status"]["phase"] = earlier["status"]["reason"], "Failed"
    return list(merged.values())


def _row_status(pod) -> dict | None:
    """The one container status of a pod built by pod_from_status_column, else None."""
    if not isinstance(pod, dict) or set(pod) != {"apiVersion", "kind", "metadata", "status"}:
        return None
    statuses = pod["status"].get("containerStatuses") if isinstance(pod["status"], dict) else None
    if not isinstance(pod["metadata"], dict) or not isinstance(statuses, list) or len(statuses) != 1:
        return None
    return statuses[0] if isinstance(statuses[0], dict) else None


def _row_terminated(status: dict | None) -> dict | None:
    if not status:
        return None
    term = (status.get("state") or {}).get("terminated")
    if term and term.get("reason"):
        return dict(term)
    last = (status.get("lastState") or {}).get("terminated")
    return dict(last) if last else None


def strip_prompt(line: str) -> str:
    return _PROMPT.sub("", line, count=1)
