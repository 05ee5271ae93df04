"""What the test kubelet says, per Kubernetes minor the lab supports (1.33 to the pinned one).

From ../shared/reference/pod-status-facts.md ("Version drift in event wording",
"Restart back-off"): `Created container: <c>` since about 1.32, `Container created`
and `Container started` in 1.35; `Back-off restarting failed container <c> in pod
<pod>` throughout; restarts back off 10 s doubling to a 300 s cap, which a 1.35 node
may lower (`crashLoopBackOff.maxContainerRestartPeriod`, KubeletCrashLoopBackOffMax,
beta in 1.35), so the cap is a knob, read back from the observed intervals.
"""

from dataclasses import dataclass

from runner.kind.versions import SUPPORTED_MINORS


@dataclass(frozen=True)
class Wording:
    minor: str
    created: str  # format with {c}
    started: str
    patch: int  # the server's gitVersion v1.<minor>.<patch>

    def created_message(self, container: str) -> str:
        return self.created.format(c=container)

    def started_message(self, container: str) -> str:
        return self.started.format(c=container)

    @property
    def git_version(self) -> str:
        return f"v{self.minor}.{self.patch}"


WORDINGS = {
    "1.33": Wording("1.33", "Created container: {c}", "Started container {c}", 1),
    "1.34": Wording("1.34", "Created container: {c}", "Started container {c}", 11),
    "1.35": Wording("1.35", "Container created", "Container started", 8),
}
DEFAULT_MINOR = "1.33"
assert tuple(WORDINGS) == SUPPORTED_MINORS, "one wording per supported minor"


def backoff_event(container: str, pod: dict) -> str:
    meta = pod["metadata"]
    return (f"Back-off restarting failed container {container} in pod "
            f"{meta['name']}_{meta['namespace']}({meta['uid']})")


def server_version(wording: Wording) -> dict:
    """/version as an API server of that minor answers it."""
    from .apiserver import SERVER_VERSION

    return {**SERVER_VERSION, "minor": wording.minor.split(".")[1],
            "gitVersion": wording.git_version}
