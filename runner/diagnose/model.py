"""The result of a diagnosis: a cause, how sure we are, the lines that show it, and the
other causes still in the running (candidates, each with its evidence for and against).

Confidence is one of three words, not a number: "high" (a field, event or log line names
the cause), "medium" (the shape fits one cause but a look-alike is possible), "low" (a
guess from the flowchart's most likely branch; read `missing` and `candidates`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    """One cause the flowchart can name: its id, a human name and a one-line summary."""

    id: str
    name: str
    summary: str


# The one table of causes: the CLI prints `name` beside `id`, and the session's quiz and
# feedback vocabulary can read it from here (runner.diagnose.CAUSE_TABLE).
CAUSE_TABLE = (
    Cause("bad_command", "bad command or entrypoint",
          "the container's command or entrypoint cannot be executed"),
    Cause("oom_killed", "out of memory (OOM kill)",
          "the container was killed for using more memory than its limit"),
    Cause("app_config", "application configuration or dependency",
          "the application starts and exits: its configuration or a dependency is wrong"),
    Cause("permissions", "permissions or securityContext",
          "the process is not allowed to do what it needs (user, securityContext, files)"),
    Cause("liveness_probe", "failing liveness probe",
          "kubelet kills the container because its liveness probe fails"),
    Cause("startup_probe", "failing startup probe",
          "kubelet kills the container because its startup probe never succeeds in time"),
    Cause("init_container", "failing init container",
          "an init container fails, so the app containers never start"),
    Cause("evicted", "evicted by the node",
          "the node evicted the pod to reclaim a resource under pressure (memory, disk, PIDs)"),
    Cause("create_container_error", "container cannot be created",
          "the runtime cannot create the container (a mount or subPath, a name conflict, the runtime)"),
    Cause("image_pull", "image cannot be pulled",
          "the image cannot be pulled, so the container never runs"),
    Cause("missing_config", "missing ConfigMap or Secret",
          "a ConfigMap or Secret the pod references does not exist"),
    Cause("readiness_probe", "failing readiness probe",
          "the readiness probe fails: the pod runs but gets no traffic (no restarts)"),
    Cause("exits_zero", "process exits successfully",
          "the process finishes successfully, and restartPolicy Always starts it again"),
    Cause("quota_limit", "quota or limit reached",
          "a namespace ResourceQuota refuses the pod, or the process hits a limit such as "
          "open files"),
    Cause("unknown", "not determined", "nothing seen so far points at one cause"),
)

CAUSES = tuple(cause.id for cause in CAUSE_TABLE)
NAMES = {cause.id: cause.name for cause in CAUSE_TABLE}
SUMMARIES = {cause.id: cause.summary for cause in CAUSE_TABLE}


def cause_name(cause: str) -> str:
    """The words a learner reads for a diagnose cause id (the id itself when unknown)."""
    return NAMES.get(cause, cause)

CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True)
class Candidate:
    """A cause still possible, with what speaks for it and what speaks against it."""

    cause: str
    confidence: str
    evidence_for: tuple[str, ...] = ()
    evidence_against: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"cause": self.cause, "name": NAMES[self.cause], "confidence": self.confidence,
                "for": list(self.evidence_for), "against": list(self.evidence_against)}


@dataclass(frozen=True)
class Finding:
    """What one flowchart rule concluded.

    `alternatives` are causes the same facts leave open (an exit 137 with no events is an
    OOM kill or a liveness kill or a kill from outside); `separate` is the fact that
    would tell them apart and the command that shows it.
    """

    cause: str
    confidence: str
    evidence: tuple[str, ...]
    caveats: tuple[str, ...] = ()
    alternatives: tuple[Candidate, ...] = ()
    separate: tuple[str, str] | None = None
    against: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diagnosis:
    """Cause, confidence, evidence lines, next commands, candidates and what could not be seen."""

    cause: str
    confidence: str
    container: str | None = None
    evidence: tuple[str, ...] = ()
    next: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    pod: str | None = None
    namespace: str | None = None
    candidates: tuple[Candidate, ...] = ()
    separate: tuple[str, str] | None = None

    def __post_init__(self):
        if self.cause not in CAUSES:
            raise ValueError(f"cause {self.cause!r} is not one of {', '.join(CAUSES)}")
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"confidence {self.confidence!r} is not one of {CONFIDENCES}")

    @property
    def summary(self) -> str:
        return SUMMARIES[self.cause]

    @property
    def name(self) -> str:
        return NAMES[self.cause]

    def to_dict(self) -> dict:
        data = {
            "cause": self.cause,
            "name": self.name,
            "confidence": self.confidence,
            "container": self.container,
            "pod": self.pod,
            "namespace": self.namespace,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "next": list(self.next),
            "missing": list(self.missing),
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }
        if self.separate:
            data["separate"] = {"fact": self.separate[0], "command": self.separate[1]}
        return data
