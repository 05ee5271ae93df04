"""Events as the diagnosis sees them: reason, message, count and the container they name.

Accepts core/v1 Events (`involvedObject`, `count`, `message`) and events.k8s.io/v1
(`regarding`, `series.count`, `note`). Message matchers use the stable parts of
kubelet's wording, which drifts between versions (see pod-status-facts.md).
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from runner.diagnose.podview import as_dict, as_int

_FIELD_PATH = re.compile(r"spec\.(initContainers|containers|ephemeralContainers)\{([^}]+)\}")
# kubectl 1.35+ describe prints `spec.containers{app}: ` before the message (kubernetes PR
# #133627, staging/src/k8s.io/kubectl/pkg/describe/describe.go DescribeEvents); client-go's
# event aggregator prefixes `(combined from similar events): `
# (staging/src/k8s.io/client-go/tools/record/events_cache.go).
_MESSAGE_PREFIX = re.compile(
    r"^(?:\(combined from similar events\):\s*)?"
    r"(?:(spec\.(?:initContainers|containers|ephemeralContainers)\{[^}]*\}):\s*)?"
    r"(?:\(combined from similar events\):\s*)?")
_CONTAINER_IN_MESSAGE = (
    re.compile(r"[Bb]ack-off restarting failed container[ =]([\w.-]+)"),
    re.compile(r"^Container ([\w.-]+) failed (?:liveness|startup) probe"),
    re.compile(r"^(?:Created|Started|Stopping) container:? \"?([\w.-]+)"),
    re.compile(r"^Killing container with id \w+://([\w.-]+):"),
    re.compile(r"container: ([\w.-]+)\)"),
    re.compile(r'for "([\w.-]+)" with \w+'),
)


@dataclass(frozen=True)
class Event:
    """One event, normalised."""

    type: str
    reason: str
    message: str
    count: int = 1
    container: str | None = None
    pod: str | None = None
    namespace: str | None = None
    last_seen: str | None = None
    lowered: str = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "lowered", self.message.lower())

    def line(self) -> str:
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"event {self.reason}: {self.message}{times}"

    def says(self, *needles: str) -> bool:
        """True when the message contains any of the (lower-case) needles."""
        pattern = _NEEDLES.get(needles)
        if pattern is None:
            pattern = _NEEDLES[needles] = re.compile("|".join(map(re.escape, needles)))
        return pattern.search(self.lowered) is not None


_NEEDLES: dict[tuple[str, ...], re.Pattern] = {}  # one alternation per needle set: one C call


def normalize_event(raw) -> Event | None:
    """An Event from a dict of either API group; None when it has no reason or message."""
    raw = as_dict(raw)
    reason = str(raw.get("reason") or "")
    message = str(raw.get("message") or raw.get("note") or "").strip()
    if not reason and not message:
        return None
    obj = as_dict(raw.get("involvedObject") or raw.get("regarding"))
    series = as_dict(raw.get("series"))
    count = as_int(raw.get("count") or series.get("count") or raw.get("deprecatedCount"), 1)
    message, prefixed_path = split_message_prefix(message)
    match = _FIELD_PATH.search(str(obj.get("fieldPath") or prefixed_path or ""))
    container = match.group(2) if match else container_from_message(message)
    namespace = _text(obj.get("namespace")) or _text(as_dict(raw.get("metadata")).get("namespace"))
    last = _text(raw.get("lastTimestamp") or series.get("lastObservedTime") or raw.get("eventTime")
                 or raw.get("firstTimestamp"))
    pod = _text(obj.get("name")) if obj.get("kind") in (None, "Pod") else None
    return Event(type=str(raw.get("type") or ""), reason=reason, message=message,
                 count=max(count, 1), container=container, pod=pod,
                 namespace=namespace, last_seen=last)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def split_message_prefix(message: str) -> tuple[str, str | None]:
    """(message without kubectl's field-path / aggregator prefix, the field path or None)."""
    if not message.startswith(("spec.", "(combined")):
        return message, None
    match = _MESSAGE_PREFIX.match(message)
    return message[match.end():], match.group(1)


def normalize_events(raws) -> list[Event]:
    events = [normalize_event(raw) for raw in raws or ()]
    return [event for event in events if event is not None]


def container_from_message(message: str) -> str | None:
    for pattern in _CONTAINER_IN_MESSAGE:
        match = pattern.search(message)
        if match:
            return match.group(1)
    return None


def is_liveness_failure(event: Event) -> bool:
    return event.reason == "Unhealthy" and event.says("liveness probe")


def is_liveness_kill(event: Event) -> bool:
    return event.reason in ("Killing", "Unhealthy", "FailedKillPod") and event.says("failed liveness probe")


def is_startup_failure(event: Event) -> bool:
    return event.reason == "Unhealthy" and event.says("startup probe")


def is_startup_kill(event: Event) -> bool:
    return event.reason in ("Killing", "Unhealthy", "FailedKillPod") and event.says("failed startup probe")


def is_readiness_failure(event: Event) -> bool:
    return event.reason == "Unhealthy" and event.says("readiness probe")


def is_quota_denial(event: Event) -> bool:
    """The ReplicaSet controller's `FailedCreate` ("Error creating: %v", pkg/controller
    controller_utils.go) carrying the ResourceQuota admission's "exceeded quota: ..."."""
    return event.says("exceeded quota:")


def is_eviction(event: Event) -> bool:
    """kubelet's eviction manager: reason `Evicted`, `The node was low on resource: ...`
    (pkg/kubelet/eviction/helpers.go nodeLowMessageFmt, eviction_manager.go Reason)."""
    return event.reason in ("Evicted", "Evict") or event.says(
        "the node was low on resource", "the node had condition")


def is_restart_backoff(event: Event) -> bool:
    return event.says("back-off restarting failed container", "crashloopbackoff")


_START_ERROR = ("failed to create containerd task", "oci runtime create failed", "oci runtime error",
                "container create failed", "runc create failed", "error mounting",
                "oci runtime start failed", "executable file not found", "exec format error",
                "starting container process caused", "unable to start container process",
                "runcontainererror", "failed to start container", "cannot run container",
                "error response from daemon")


# What a runtime failure message names decides its cause (runc uses one wording,
# "unable to start container process", for different faults):
# - a mount, a subPath, a name conflict -> the container cannot be created
#   (runc libcontainer/rootfs_linux.go "error mounting %q to rootfs at %q";
#   kubelet pkg/kubelet/kubelet_pods.go "failed to prepare subPath for volumeMount";
#   containerd "failed to create containerd container"; CRI-O/Docker "is already in use")
# - the process's working directory or a file it opens -> permissions
#   (runc libcontainer/init_linux.go "chdir to cwd (%q) set in config.json failed")
# - the executable itself -> bad command (`exec: "<argv0>": ...`)
_CREATE_WORDS = ("error mounting", "mount through procfd", "failed to prepare subpath",
                 "subpath", "failed to create containerd container", "is already in use",
                 "failed to reserve container name", "failed to generate container")
_PERMISSION_WORDS = ("chdir to cwd", "set in config.json failed: permission denied",
                     "open /dev/", "setgroups", "operation not permitted")
_EXEC_NAMED = re.compile(r'exec(?: user process caused)?:? \\?"|exec format error|executable file not found'
                         r'|exec user process caused')


@lru_cache(maxsize=4096)
def classify_runtime_message(message: str) -> str | None:
    """`bad_command`, `permissions` or `create_container_error` for a runtime failure message."""
    low = message.lower()
    if _EXEC_NAMED.search(message) and "error mounting" not in low:
        return "bad_command"
    if any(word in low for word in _CREATE_WORDS):
        return "create_container_error"
    if any(word in low for word in _PERMISSION_WORDS):
        return "permissions"
    return None


def is_start_error(event: Event) -> bool:
    return event.reason in ("Failed", "FailedSync", "BackOff") and event.says(*_START_ERROR) \
        and not is_image_pull(event)


def is_image_pull(event: Event) -> bool:
    if event.reason in ("ErrImageNeverPull", "InspectFailed"):
        return True
    return event.says("failed to pull image", "back-off pulling image", "errimagepull",
                      "imagepullbackoff", "invalidimagename", "pull access denied",
                      "manifest unknown", "couldn't parse image reference")


def is_run_as_non_root(event: Event) -> bool:
    return event.says("runasnonroot", "non-numeric user", "will run as root")


_MISSING_OBJECT = re.compile(
    r'(?:configmaps?|secrets?) "[^"]+" not found|couldn\'t find key [\w.-]+ in (?:ConfigMap|Secret)'
    r'|configmap references non-existent|secret references non-existent', re.I)


def is_missing_config(event: Event) -> bool:
    return event.reason in ("Failed", "FailedMount", "FailedSync", "FailedCreatePodContainer") \
        and bool(_MISSING_OBJECT.search(event.message))


def is_oom_event(event: Event) -> bool:
    return event.reason in ("OOMKilling", "SystemOOM", "OOMKilled") or event.says(
        "memory cgroup out of memory", "oom-kill", "oomkilled")


def missing_object_name(message: str) -> str | None:
    match = re.search(r'(configmaps?|secrets?) "([^"]+)" not found', message, re.I)
    if match:
        kind = "configmap" if match.group(1).lower().startswith("configmap") else "secret"
        return f"{kind}/{match.group(2)}"
    match = re.search(r"in (ConfigMap|Secret) ([\w.-]+/)?([\w.-]+)", message)
    if match:
        return f"{match.group(1).lower()}/{match.group(3)}"
    return None
