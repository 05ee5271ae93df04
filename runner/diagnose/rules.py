"""The troubleshooting flowchart as an ordered list of small rules.

Each rule looks at the facts about one container and either returns a
Finding or None; `RULES` is walked in order and the first Finding wins. The
order is the flowchart: things that stop a container from ever running
(image, config, exec) first, then explicit kill reasons, then what the logs
say, then weaker guesses from exit codes alone.
"""

from dataclasses import dataclass, field

from runner.diagnose import events as ev
from runner.diagnose.events import Event
from runner.diagnose.logtext import LogClue, find_log_clue, last_error_line
from runner.diagnose.model import Candidate, Finding
from runner.diagnose.podview import ContainerView, as_int, memory_limit

_START_REASONS = ("StartError", "ContainerCannotRun", "RunContainerError")
_PULL_REASONS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")


@dataclass
class Facts:
    """Everything one rule may look at, for the container being judged."""

    container: ContainerView | None
    events: list[Event]
    logs: str | None = None
    previous_logs: str | None = None
    pod_status: dict = field(default_factory=dict)
    has_pod: bool = False
    has_events: bool = False
    _terminations: list | None = field(default=None, repr=False)

    def status_line(self, subpath: str, value) -> str:
        base = self.container.path if self.container else "status"
        return f"{base}.{subpath} = {value}"

    def matching(self, predicate) -> list[Event]:
        if not self.events:
            return []
        return [event for event in self.events if predicate(event)]

    def log_clue(self) -> tuple[str, LogClue] | None:
        for label, text in (("logs --previous", self.previous_logs), ("logs", self.logs)):
            clue = find_log_clue(text)
            if clue:
                return label, clue
        return None

    def terminations(self):
        """(field path, terminated dict) pairs; read once, every rule asks."""
        if self._terminations is None:
            self._terminations = list(self.container.terminations()) if self.container else []
        return self._terminations

    def exit_codes(self) -> set[int]:
        return {as_int(t.get("exitCode"), -1) for _, t in self.terminations()}

    @property
    def restarted(self) -> bool:
        c = self.container
        return bool(c and (c.restart_count > 0 or c.last_terminated
                           or c.waiting_reason == "CrashLoopBackOff"))


def _event_lines(events: list[Event], limit: int = 3) -> list[str]:
    seen, lines = set(), []
    for event in events:
        if event.message not in seen:
            seen.add(event.message)
            lines.append(event.line())
    return lines[:limit]


def _waiting_lines(facts: Facts) -> list[str]:
    waiting = facts.container.waiting if facts.container else {}
    lines = [facts.status_line("state.waiting.reason", waiting["reason"])] if waiting.get("reason") else []
    if waiting.get("message"):
        lines.append(facts.status_line("state.waiting.message", waiting["message"]))
    return lines


def _termination_lines(facts: Facts, where: str, term: dict) -> list[str]:
    lines = [facts.status_line(f"{where}.reason", term["reason"])] if term.get("reason") else []
    if "exitCode" in term:
        lines.append(facts.status_line(f"{where}.exitCode", term["exitCode"]))
    if term.get("message"):
        lines.append(facts.status_line(f"{where}.message", _first_line(term["message"])))
    return lines


def _first_line(text) -> str:
    text = str(text).strip()
    return text.splitlines()[-1].strip() if "\n" in text else text


def rule_image_pull(facts: Facts) -> Finding | None:
    c = facts.container
    pulls = facts.matching(ev.is_image_pull)
    if c and c.waiting_reason in _PULL_REASONS:
        return Finding("image_pull", "high", tuple(_waiting_lines(facts) + _event_lines(pulls, 2)))
    if pulls and not (c and (c.running or c.last_terminated)):
        return Finding("image_pull", "high" if facts.has_pod else "medium", tuple(_event_lines(pulls)))
    return None


def rule_container_config(facts: Facts) -> Finding | None:
    """CreateContainerConfigError: runAsNonRoot (permissions) or a missing ConfigMap/Secret."""
    c = facts.container
    waiting_message = str(c.waiting.get("message") or "") if c else ""
    config_error = bool(c and c.waiting_reason == "CreateContainerConfigError")
    if config_error and ev.classify_runtime_message(waiting_message):
        return None  # e.g. kubelet's subPath error: a mount, judged by rule_runtime_failure
    if not waiting_message and not facts.events:
        return Finding("missing_config", "low", tuple(_waiting_lines(facts)), (
            _CONFIG_ERROR_WITHOUT_MESSAGE,)) if config_error else None
    probe = Event("", "Failed", waiting_message)
    non_root = facts.matching(ev.is_run_as_non_root)
    if non_root or (waiting_message and ev.is_run_as_non_root(probe)):
        return Finding("permissions", "high", tuple(_waiting_lines(facts) + _event_lines(non_root, 1)))
    missing = facts.matching(lambda e: ev.is_missing_config(e) and e.reason != "FailedMount")
    if missing or (waiting_message and ev.is_missing_config(probe)):
        return Finding("missing_config", "high", tuple(_waiting_lines(facts) + _event_lines(missing, 1)))
    if config_error:
        return Finding("missing_config", "low", tuple(_waiting_lines(facts)),
                       (_CONFIG_ERROR_WITHOUT_MESSAGE,))
    return None


_CONFIG_ERROR_WITHOUT_MESSAGE = (
    "CreateContainerConfigError without its message: a missing ConfigMap/Secret is the usual "
    "cause, runAsNonRoot the other; the Failed event says which")


def rule_failed_mount(facts: Facts) -> Finding | None:
    mounts = facts.matching(lambda e: e.reason == "FailedMount" and ev.is_missing_config(e))
    if mounts:
        lines = _event_lines(mounts, 2)
        c = facts.container
        if c and c.waiting_reason:
            lines.insert(0, facts.status_line("state.waiting.reason", c.waiting_reason))
        return Finding("missing_config", "high", tuple(lines))
    return None


def rule_quota(facts: Facts) -> Finding | None:
    """A ResourceQuota refused the pod: no pod at all, a FailedCreate event names the quota."""
    denials = facts.matching(ev.is_quota_denial)
    if denials:
        return Finding("quota_limit", "high", tuple(_event_lines(denials, 2)))
    return None


def rule_evicted(facts: Facts) -> Finding | None:
    """`status.reason: Evicted` (phase Failed), an Evicted event, or STATUS `Evicted` in a table."""
    status = facts.pod_status
    lines = []
    if status.get("reason") == "Evicted":
        lines.append(f"status.reason = {status['reason']}")
        if status.get("phase"):
            lines.append(f"status.phase = {status['phase']}")
        if status.get("message"):
            lines.append(f"status.message = {_first_line(status['message'])}")
    evictions = facts.matching(ev.is_eviction)
    if lines or evictions:
        return Finding("evicted", "high", tuple(lines + _event_lines(evictions, 2)))
    return None


def _runtime_failure_lines(facts: Facts):
    """(cause the runtime's message names, status lines, events) for a container that never ran."""
    c = facts.container
    for where, term in facts.terminations():
        cause = ev.classify_runtime_message(str(term.get("message") or ""))
        if term.get("reason") in _START_REASONS or cause:
            return cause or "bad_command", _termination_lines(facts, where, term)
    waiting = c.waiting if c else {}
    reason = waiting.get("reason")
    cause = ev.classify_runtime_message(str(waiting.get("message") or ""))
    if reason == "CreateContainerError":
        return cause or "create_container_error", _waiting_lines(facts)
    if reason in ("RunContainerError", "StartError", "ContainerCannotRun") or (
            cause is None and _looks_like_exec_failure(waiting.get("message"))):
        return cause or "bad_command", _waiting_lines(facts)
    if cause:
        return cause, _waiting_lines(facts)
    return None, []


def _looks_like_exec_failure(message) -> bool:
    probe = Event("", "Failed", str(message or ""))
    return bool(message) and ev.is_start_error(probe)


def rule_runtime_failure(facts: Facts) -> Finding | None:
    """The runtime could not create or start the process; what its message names decides why:
    the executable (bad command), a mount or name (cannot create), a directory (permissions)."""
    cause, lines = _runtime_failure_lines(facts)
    failures = facts.matching(lambda e: e.reason in ("Failed", "FailedSync", "BackOff") and (
        ev.is_start_error(e) or (e.reason == "Failed" and ev.classify_runtime_message(e.message))))
    if cause is None and failures:
        named = [ev.classify_runtime_message(e.message) for e in failures]
        cause = next((n for n in named if n), "bad_command")
    if cause is None:
        return None
    same = [e for e in failures if ev.classify_runtime_message(e.message) in (cause, None)] or failures
    return Finding(cause, "high", tuple(lines + _event_lines(same, 1)))


def rule_oom_reason(facts: Facts) -> Finding | None:
    for where, term in facts.terminations():
        if term.get("reason") in ("OOMKilled", "OOM Killed"):
            lines = _termination_lines(facts, where, term)
            limit = memory_limit(facts.container)
            if limit:
                lines.append(f"{facts.container.path.replace('status.', 'spec.').replace('Statuses', 's')}"
                             f".resources.limits.memory = {limit}")
            return Finding("oom_killed", "high", tuple(lines))
    ooms = facts.matching(ev.is_oom_event)
    if ooms:
        return Finding("oom_killed", "high" if facts.restarted else "medium", tuple(_event_lines(ooms, 2)))
    return None


def _probe_kill(facts: Facts, cause: str, is_kill, is_failure) -> Finding | None:
    """A probe's Unhealthy failures and its Killing event, with the termination they caused."""
    kills, failures = facts.matching(is_kill), facts.matching(is_failure)
    if not kills and not failures:
        return None
    lines = _event_lines(failures, 2) + _event_lines(kills, 1)
    for where, term in facts.terminations()[:1]:
        lines = _termination_lines(facts, where, term) + lines
    strong = kills or facts.restarted
    return Finding(cause, "high" if strong else "medium", tuple(lines))


def rule_startup_probe(facts: Facts) -> Finding | None:
    return _probe_kill(facts, "startup_probe", ev.is_startup_kill, ev.is_startup_failure)


def rule_liveness(facts: Facts) -> Finding | None:
    return _probe_kill(facts, "liveness_probe", ev.is_liveness_kill, ev.is_liveness_failure)


def rule_exits_zero(facts: Facts) -> Finding | None:
    c = facts.container
    if c is None or c.init:
        return None
    for where, term in facts.terminations():
        if term.get("reason") == "Completed" or (
                "exitCode" in term and as_int(term.get("exitCode"), -1) == 0):
            if facts.restarted or where == "lastState.terminated":
                return Finding("exits_zero", "high", tuple(_termination_lines(facts, where, term)))
            return Finding("exits_zero", "medium", tuple(_termination_lines(facts, where, term)),
                           ("the container finished with exit 0 but no restart was seen yet",))
    return None


def rule_log_clue(facts: Facts) -> Finding | None:
    found = facts.log_clue()
    if not found:
        return None
    label, clue = found
    lines = [f"{label}: {clue.line}"]
    for where, term in facts.terminations()[:1]:
        lines = _termination_lines(facts, where, term) + lines
    codes = facts.exit_codes()
    crashed = any(code not in (0, -1) for code in codes)
    cause, alternative = clue.cause, clue.alternative
    if alternative == "bad_command" and 126 in codes:
        cause, alternative = alternative, cause  # the shell's "cannot execute": the command itself
    if cause == "liveness_probe" and facts.has_pod and not facts.restarted:
        cause, alternative = "readiness_probe", None  # probe requests fail, nothing restarts
    confidence = "high" if (crashed or facts.restarted) and not clue.alternative else "medium"
    alternatives = (Candidate(alternative, "low", (f"{label}: {clue.line}",)),) if alternative else ()
    return Finding(cause, confidence, tuple(lines), alternatives=alternatives)


def rule_init_container(facts: Facts) -> Finding | None:
    """An init container fails and nothing above named why: the app containers never start."""
    c = facts.container
    if c is None or not c.init or not c.trouble:
        return None
    lines = _waiting_lines(facts)
    for where, term in facts.terminations()[:1]:
        lines += _termination_lines(facts, where, term)
    if c.restart_count:
        lines.append(facts.status_line("restartCount", c.restart_count))
    waiting_apps = [f"status.containerStatuses[{s.get('name') or i}].state.waiting.reason = PodInitializing"
                    for i, s in enumerate(facts.pod_status.get("containerStatuses") or ())
                    if isinstance(s, dict) and _waiting_reason(s) == "PodInitializing"]
    return Finding("init_container", "high", tuple(lines + waiting_apps[:1]), (
        f"the init container's own reason is in `kubectl logs <pod> -c {c.name or '<init>'} --previous`",))


def _waiting_reason(status: dict) -> str:
    state = status.get("state")
    waiting = state.get("waiting") if isinstance(state, dict) else None
    return str(waiting.get("reason") or "") if isinstance(waiting, dict) else ""


_KILL_SEPARATES = (
    "an Unhealthy/Killing event naming the liveness probe means a liveness kill; OOMKilled as the "
    "last termination reason (or an OOM event on the node) means an OOM kill; neither means the "
    "process was killed from outside the pod",
    "kubectl describe pod <pod>",
)


_NO_OOM = "no OOMKilled reason and no OOM event were seen"
_NO_LIVENESS = "no Unhealthy/Killing event naming the liveness probe was seen"


def rule_killed(facts: Facts) -> Finding | None:
    """Exit 137/143 with reason Error: a kill, but whose? Events decide; without them, say so."""
    for where, term in facts.terminations():
        code = as_int(term.get("exitCode"), -1)
        if code not in (137, 143) or term.get("reason") not in (None, "Error"):
            continue
        lines = _termination_lines(facts, where, term)
        has_liveness = bool(facts.container and facts.container.spec.get("livenessProbe"))
        signal = "KILL" if code == 137 else "TERM"
        outside = Candidate("unknown", "low", tuple(lines[-1:]), (
            f"nothing seen names who sent SIG{signal} (a person, a node agent, the runtime)",))
        oom = Candidate("oom_killed", "low", tuple(lines), (_NO_OOM,))
        liveness = Candidate("liveness_probe", "low", tuple(lines), (
            _NO_LIVENESS + (" in the events given" if facts.has_events else " (no events given)"),))
        if code == 137 and facts.has_events and not has_liveness:
            return Finding("oom_killed", "medium", tuple(lines), (
                "exit 137 is SIGKILL; with no liveness failure in the events, a node-level OOM kill "
                "is the likely reason (check the node's kernel log / OOM events)",),
                alternatives=(outside,), separate=_KILL_SEPARATES, against=(_NO_OOM,))
        if has_liveness:
            return Finding("liveness_probe", "low", tuple(lines), (
                f"exit {code} after a kill and the container has a livenessProbe, but no "
                "Unhealthy events were seen to confirm it",),
                alternatives=(oom, outside), separate=_KILL_SEPARATES, against=liveness.evidence_against)
        first, other = (oom, liveness) if code == 137 else (liveness, oom)
        return Finding(first.cause, "low", tuple(lines), (
            f"exit {code} means the process was killed (SIG{signal}); "
            "events tell an OOM kill from a liveness kill, and none were given",),
            alternatives=(other, outside), separate=_KILL_SEPARATES, against=first.evidence_against)
    return None


def rule_shell_exit_codes(facts: Facts) -> Finding | None:
    for where, term in facts.terminations():
        code = as_int(term.get("exitCode"), -1)
        if code in (126, 127):
            why = "command not found" if code == 127 else "command found but not executable"
            return Finding("bad_command", "medium", tuple(_termination_lines(facts, where, term)),
                           (f"exit {code} is the shell's '{why}'",))
    return None


def rule_app_error(facts: Facts) -> Finding | None:
    """A non-zero exit with reason Error: the app itself failed; logs hold the why."""
    for where, term in facts.terminations():
        code = as_int(term.get("exitCode"), -1)
        if term.get("reason") not in ("Error", None) or code in (0, 137, 143):
            continue
        if code == -1 and term.get("reason") != "Error":
            continue
        lines = _termination_lines(facts, where, term)
        error = last_error_line(facts.previous_logs) or last_error_line(facts.logs)
        if error:
            lines.append(f"logs: {error}")
        exited = f"exited with code {code}" if code != -1 else "exited with an error"
        return Finding("app_config", "low", tuple(lines), (
            f"the application {exited}; the reason is in `kubectl logs --previous` "
            "(configuration, a dependency, or permissions)",))
    return None


def rule_readiness(facts: Facts) -> Finding | None:
    failures = facts.matching(ev.is_readiness_failure)
    if not failures:
        return None
    c = facts.container
    if c and c.restart_count > 0:
        return None
    lines = _event_lines(failures, 2)
    if c and c.ready is False:
        lines.append(facts.status_line("ready", "false"))
    if c and c.status:
        lines.append(facts.status_line("restartCount", c.restart_count))
    return Finding("readiness_probe", "high" if c and c.status else "medium", tuple(lines))


def rule_crash_loop_only(facts: Facts) -> Finding | None:
    c = facts.container
    backoffs = facts.matching(ev.is_restart_backoff)
    if (c and c.waiting_reason == "CrashLoopBackOff") or backoffs:
        lines = _waiting_lines(facts) + _event_lines(backoffs, 1)
        if c and c.restart_count:
            lines.append(facts.status_line("restartCount", c.restart_count))
        return Finding("unknown", "low", tuple(lines), (
            "the container is crash-looping, but its last termination (reason, exit code) and its "
            "logs were not given",))
    return None


RULES = (
    rule_quota,
    rule_evicted,
    rule_image_pull,
    rule_container_config,
    rule_failed_mount,
    rule_runtime_failure,
    rule_oom_reason,
    rule_startup_probe,
    rule_liveness,
    rule_exits_zero,
    rule_log_clue,
    rule_init_container,
    rule_killed,
    rule_shell_exit_codes,
    rule_app_error,
    rule_readiness,
    rule_crash_loop_only,
)


def run_rules(facts: Facts) -> Finding:
    for rule in RULES:
        finding = rule(facts)
        if finding is not None:
            return finding
    return Finding("unknown", "low", ())


def run_all_rules(facts: Facts) -> list[Finding]:
    """Every rule's finding, in flowchart order; the first is the diagnosis, the rest candidates."""
    findings = [finding for finding in (rule(facts) for rule in RULES) if finding is not None]
    return findings or [Finding("unknown", "low", ())]
