"""The result of a diagnosis: a cause, how sure we are, and the lines that show it.

Confidence is one of three words, not a number: "high" (a field or event names
the cause), "medium" (the shape fits one cause but a look-alike is possible),
"low" (a guess from the flowchart's most likely branch; read `missing`).
"""

from dataclasses import dataclass

CAUSES = (
    "bad_command",
    "oom_killed",
    "app_config",
    "permissions",
    "liveness_probe",
    "image_pull",
    "missing_config",
    "readiness_probe",
    "exits_zero",
    "unknown",
)

CONFIDENCES = ("high", "medium", "low")

SUMMARIES = {
    "bad_command": "the container's command or entrypoint cannot be executed",
    "oom_killed": "the container was killed for using more memory than its limit",
    "app_config": "the application starts and exits: its configuration or a dependency is wrong",
    "permissions": "the process is not allowed to do what it needs (user, securityContext, files)",
    "liveness_probe": "kubelet kills the container because its liveness probe fails",
    "image_pull": "the image cannot be pulled, so the container never runs",
    "missing_config": "a ConfigMap or Secret the pod references does not exist",
    "readiness_probe": "the readiness probe fails: the pod runs but gets no traffic (no restarts)",
    "exits_zero": "the process finishes successfully, and restartPolicy Always starts it again",
    "unknown": "nothing seen so far points at one cause",
}


@dataclass(frozen=True)
class Finding:
    """What one flowchart rule concluded."""

    cause: str
    confidence: str
    evidence: tuple[str, ...]
    caveats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diagnosis:
    """Cause, confidence, evidence lines, next commands and what could not be seen."""

    cause: str
    confidence: str
    container: str | None = None
    evidence: tuple[str, ...] = ()
    next: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    pod: str | None = None
    namespace: str | None = None

    def __post_init__(self):
        if self.cause not in CAUSES:
            raise ValueError(f"cause {self.cause!r} is not one of {', '.join(CAUSES)}")
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"confidence {self.confidence!r} is not one of {CONFIDENCES}")

    @property
    def summary(self) -> str:
        return SUMMARIES[self.cause]

    def to_dict(self) -> dict:
        return {
            "cause": self.cause,
            "confidence": self.confidence,
            "container": self.container,
            "pod": self.pod,
            "namespace": self.namespace,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "next": list(self.next),
            "missing": list(self.missing),
        }
