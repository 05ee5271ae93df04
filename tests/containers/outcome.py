"""What a scenario's container did under Docker, seen the way kubelet would report it, and checks.

Pure: no Docker here. `runs.py` fills an Outcome; this module turns it into the
kubelet-shaped facts the scenario data talks about (a terminated state, events, a pod
status) and says what differs from the scenario's symptom or fixed state.
Docker-era shapes apply: a start failure is reason ContainerCannotRun with exit 127,
not containerd's StartError/128 (pod-status-facts.md, section 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from runner.expect import match

EXEC_FAILURE = re.compile(
    r"executable file not found in \$PATH|no such file or directory|permission denied")
EACCES = re.compile(r"Permission denied|Read-only file system")
APP_HEALTHZ_TIMEOUT = 5.0  # as runs.APP_HEALTHZ_TIMEOUT


@dataclass(frozen=True)
class ProbeResult:
    kind: str  # liveness | readiness | startup | healthz (the app's own health endpoint)
    path: str
    port: int
    status: int | None  # HTTP status, None when no answer
    error: str = ""

    @property
    def ok(self) -> bool:
        # kubelet's HTTP prober: 200 <= status < 400 is success.
        return self.status is not None and 200 <= self.status < 400


@dataclass
class Outcome:
    """The facts one container run produced (filled by runs.py)."""

    container: str  # the pod's container name
    started: bool = False
    start_error: str = ""  # the daemon/runc message when the process never started
    running_after_window: bool = False
    window_seconds: float = 0.0
    exit_code: int | None = None
    oom_killed: bool = False
    probes: list[ProbeResult] = field(default_factory=list)
    killed_for_liveness: bool = False  # harness stopped it with the grace period, as kubelet would
    logs: str = ""
    init_exit_codes: dict[str, int] = field(default_factory=dict)  # init container -> exit code

    def probe(self, kind: str) -> ProbeResult | None:
        return next((p for p in self.probes if p.kind == kind), None)


def terminated_state(outcome: Outcome) -> dict | None:
    """`state.terminated` as kubelet (Docker era) would report it; None while never terminated."""
    if not outcome.started:
        return {"reason": "ContainerCannotRun", "exitCode": outcome.exit_code,
                "message": outcome.start_error}
    if outcome.exit_code is None:
        return None
    if outcome.oom_killed:
        reason = "OOMKilled"
    else:
        reason = "Completed" if outcome.exit_code == 0 else "Error"
    return {"reason": reason, "exitCode": outcome.exit_code}


def events(outcome: Outcome) -> list[dict]:
    """The kubelet events this run would have produced (first run only: no BackOff)."""
    c = outcome.container
    found = [{"type": "Normal", "reason": "Created", "message": f"Created container {c}"}]
    if not outcome.started:
        return found + [{"type": "Warning", "reason": "Failed",
                         "message": f"Error: {outcome.start_error}"}]
    found.append({"type": "Normal", "reason": "Started", "message": f"Started container {c}"})
    for probe in outcome.probes:
        if probe.kind == "healthz" or probe.ok:
            continue
        detail = f"HTTP probe failed with statuscode: {probe.status}" if probe.status \
            else probe_error(probe)
        found.append({"type": "Warning", "reason": "Unhealthy",
                      "message": f"{probe.kind.capitalize()} probe failed: {detail}"})
    if outcome.killed_for_liveness:
        found.append({"type": "Normal", "reason": "Killing",
                      "message": f"Container {c} failed liveness probe, will be restarted"})
    return found


def probe_error(probe: ProbeResult) -> str:
    """The kubelet's wording for a probe that got no HTTP answer (Go's net/http error text,
    passed through by pkg/probe/http/http.go DoHTTPProbe); the probe ran on the pod's own
    loopback here, so the address is 127.0.0.1."""
    url = f"http://127.0.0.1:{probe.port}{probe.path}"
    if "timed out" in probe.error:
        return f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    if "refused" in probe.error:
        return f'Get "{url}": dial tcp 127.0.0.1:{probe.port}: connect: connection refused'
    return probe.error


def pod_view(outcome: Outcome) -> dict:
    """A pod status as kubelet would show it at the end of the window (the run never restarts)."""
    readiness = outcome.probe("readiness")
    running = outcome.running_after_window and not outcome.killed_for_liveness
    status = {"name": outcome.container, "restartCount": 0,
              "ready": running and (readiness is None or readiness.ok)}
    terminated = terminated_state(outcome)
    status["state"] = {"running": {}} if running else \
        ({"terminated": terminated} if terminated else {"waiting": {}})
    phase = "Running" if running else "Failed"
    return {"status": {"phase": phase, "containerStatuses": [status]}}


def _expected_terminated(symptom_pod: dict, container: str) -> dict | None:
    statuses = ((symptom_pod or {}).get("status") or {}).get("containerStatuses") or []
    for status in statuses:
        if status.get("name") == container:
            return ((status.get("lastState") or {}).get("terminated"))
    return None


def _describe(outcome: Outcome) -> str:
    if not outcome.started:
        return f"never started (exit {outcome.exit_code}: {outcome.start_error.strip()[:160]})"
    if outcome.running_after_window and not outcome.killed_for_liveness:
        return f"still running after {outcome.window_seconds:g}s"
    return f"exited {outcome.exit_code}" + (" (OOMKilled)" if outcome.oom_killed else "")


def _cause_problems(cause: str, outcome: Outcome) -> list[str]:
    """The cause's own signature, from the workshop text and pod-status-facts.md."""
    seen = _describe(outcome)
    if cause == "bad_command":
        if outcome.started:
            return [f"no exec failure observed: the container started and {seen}"]
        problems = []
        if not outcome.exit_code:
            problems.append(f"start failure without a non-zero exit code: {seen}")
        if not EXEC_FAILURE.search(outcome.start_error):
            problems.append(f"start failure is not an exec failure from the runtime: {seen}")
        return problems
    if cause == "oom_killed":
        if not outcome.oom_killed:
            return [f"no OOM kill observed: the container {seen}"]
        if outcome.exit_code != 137:
            return [f"OOM-killed but exit {outcome.exit_code}, want 137"]
        return []
    if cause in ("app_config", "permissions"):
        if not outcome.started or outcome.running_after_window or outcome.oom_killed:
            return [f"no start-up failure with exit 1 observed: the container {seen}"]
        problems = [] if outcome.exit_code == 1 else [f"exit code {outcome.exit_code}, want 1"]
        if cause == "permissions" and not EACCES.search(outcome.logs):
            problems.append("no 'Permission denied' (EACCES/EROFS) in the logs")
        return problems
    if cause == "liveness_probe":
        if not outcome.running_after_window:
            return [f"the container did not keep running until the probe: it {seen}"]
        liveness, healthz = outcome.probe("liveness"), outcome.probe("healthz")
        if liveness is None:
            return ["the pod has no HTTP liveness probe"]
        problems = []
        if liveness.ok:
            problems.append(f"liveness probe GET {liveness.path} on port {liveness.port} "
                            f"answered {liveness.status}: it does not fail")
        if healthz is None or not healthz.ok:
            problems.append("the app itself is not healthy (GET /healthz did not answer 200)")
        return problems
    if cause in ("missing_credentials", "dependency_unreachable", "exits_zero", "service_account"):
        want = 0 if cause == "exits_zero" else 1
        if not outcome.started or outcome.running_after_window or outcome.oom_killed:
            return [f"no start-up exit with code {want} observed: the container {seen}"]
        return [] if outcome.exit_code == want else [f"exit code {outcome.exit_code}, want {want}"]
    if cause in ("slow_start", "probe_timeout"):
        if not outcome.running_after_window:
            return [f"the container did not keep running until the probe: it {seen}"]
        liveness, healthz = outcome.probe("liveness"), outcome.probe("healthz")
        if liveness is None:
            return ["the pod has no HTTP liveness probe"]
        problems = []
        wanted = "refused" if cause == "slow_start" else "timed out"
        if liveness.ok or wanted not in liveness.error:
            problems.append(f"liveness probe GET {liveness.path} got "
                            f"{liveness.status or liveness.error!r}, want a {wanted!r} failure")
        if cause == "probe_timeout" and (healthz is None or not healthz.ok):
            problems.append(f"the app itself is not healthy (GET /healthz within "
                            f"{APP_HEALTHZ_TIMEOUT:g} s did not answer 200)")
        return problems
    if cause == "readiness_probe":
        if not outcome.running_after_window or outcome.killed_for_liveness:
            return [f"the container did not keep running: it {seen}"]
        readiness, liveness = outcome.probe("readiness"), outcome.probe("liveness")
        problems = [] if readiness is not None and not readiness.ok else \
            ["the readiness probe does not fail"]
        if liveness is not None and not liveness.ok:
            problems.append("the liveness probe fails too: that restarts the container")
        return problems
    return [f"no container-level check for cause {cause!r}"]


def check_broken(scenario, outcome: Outcome) -> list[str]:
    """What the broken run does not show of the scenario's cause and expected symptom."""
    problems = _cause_problems(scenario.cause, outcome)
    want = _expected_terminated(scenario.symptom.pod, scenario.workload.container)
    got = terminated_state(outcome)
    if want is not None:
        if got is None:
            problems.append(f"lastState.terminated: got no termination ({_describe(outcome)})")
        else:
            problems += [f"lastState.terminated.{m}" for m in match(want, got)]
    seen_events = events(outcome)
    for wanted in scenario.symptom.events:
        if not any(not match(wanted, event) for event in seen_events):
            problems.append(f"no event matching {wanted}")
    problems += [f"logs: no line containing {text!r}" for text in scenario.symptom.logs
                 if text not in outcome.logs]
    return problems


def check_solution(scenario, outcome: Outcome) -> list[str]:
    """What the solution run does not show of a healthy, stable container."""
    problems = [f"init container {name} exited {code}, want 0"
                for name, code in outcome.init_exit_codes.items() if code != 0]
    if outcome.oom_killed:
        problems.append("the container was OOM-killed")
    if not outcome.running_after_window or outcome.killed_for_liveness:
        problems.append(f"not running for the whole window: the container {_describe(outcome)}")
    for probe in outcome.probes:
        if not probe.ok:
            problems.append(f"{probe.kind} GET {probe.path} on port {probe.port} answered "
                            f"{probe.status or probe.error}, want 200-399")
    problems += [str(m) for m in match(scenario.fixed.pod, pod_view(outcome))]
    return problems
