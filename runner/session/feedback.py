"""What the learner reads about their own pod, in their words. Pure.

`not_fixed_lines`: why a fix is not there yet, from what the new pod did (its container
status and events, shaped as kubelet reports them: ../shared/reference/pod-status-facts.md
sections 2 and 5) and the scenario's own `says` for each failed guard. `where_to_look`: the
fields the workshop's flowchart reads, with this pod's values, never a cause or its summary.
No matcher syntax ($ne, regexes, `<missing>`) and no Python reprs reach the learner.
"""

from __future__ import annotations

import re

from runner.podfacts import container_status

# kubelet's prober: "HTTP probe failed with statuscode: %d" (pkg/probe/http/http.go)
_STATUS_CODE = re.compile(r"statuscode: (\d{3})")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _spec_container(pod: dict, container: str) -> dict:
    items = ((pod or {}).get("spec") or {}).get("containers") or []
    return next((c for c in items if isinstance(c, dict) and c.get("name") == container), {})


def _probe_failures(events: list[dict], kind: str) -> list[str]:
    """Messages of `Unhealthy` events for one probe kind ("Liveness", "Readiness", "Startup")."""
    return [str(e.get("message") or "") for e in events or []
            if e.get("reason") == "Unhealthy"
            and str(e.get("message") or "").startswith(f"{kind} probe failed")]


def _probe_words(kind: str, messages: list[str], probe: dict) -> str:
    path = ((probe or {}).get("httpGet") or {}).get("path")
    codes = [m.group(1) for m in map(_STATUS_CODE.search, messages) if m]
    if codes and path:
        return f"the {kind.lower()} probe still gets {codes[-1]} on {path}"
    detail = messages[-1].split(":", 1)[1].strip() if ":" in messages[-1] else ""
    return f"the {kind.lower()} probe still fails" + (f" ({detail})" if detail else "")


def pod_words(pod: dict | None, container: str, events: list[dict] | None = None,
              before: str | None = None) -> list[str]:
    """What the new pod did, e.g. "the new pod was OOMKilled again at 100Mi (exit 137,
    restart 2)". `before`: the termination reason the broken pod showed (says "again")."""
    if not pod:
        return ["no new pod has started yet: check `kubectl get pods` in the namespace"]
    status = container_status(pod, container) or {}
    spec = _spec_container(pod, container)
    count = status.get("restartCount") or 0
    state = status.get("state") or {}
    term = state.get("terminated") or (status.get("lastState") or {}).get("terminated") or {}
    lines = []
    if term:
        reason = term.get("reason") or "Terminated"
        again = " again" if before and reason == before else ""
        limit = ((spec.get("resources") or {}).get("limits") or {}).get("memory")
        at = f" at {limit}" if reason == "OOMKilled" and limit else ""
        what = f"was OOMKilled{again}{at}" if reason == "OOMKilled" else \
            f"stopped{again} with {reason}"
        lines.append(f"the new pod {what} (exit {term.get('exitCode', '?')}, restart {count})")
    waiting = (state.get("waiting") or {}).get("reason")
    if waiting and (not term or waiting != "CrashLoopBackOff"):
        message = (state.get("waiting") or {}).get("message")
        lines.append(f"the new pod is waiting: {waiting}" + (f" ({message})" if message and
                                                             "\n" not in message else ""))
    live = _probe_failures(events, "Liveness")
    ready = _probe_failures(events, "Readiness")
    if live:
        lines.append(_probe_words("Liveness", live, spec.get("livenessProbe")))
    if ready:
        passes = "the liveness probe passes now, but " if spec.get("livenessProbe") and not live \
            else ""
        lines.append(passes + _probe_words("Readiness", ready, spec.get("readinessProbe")))
    if not lines:
        if state.get("running") and not status.get("ready"):
            lines.append("the new pod is running but not Ready yet"
                         + (f" ({_plural(count, 'restart')} so far)" if count else ""))
        elif state.get("running"):
            lines.append("the new pod is running and Ready")
        else:
            lines.append("the new pod has not started its container yet")
    return lines


def log_words(previous_log: str | None) -> list[str]:
    """The error line the diagnosis' log reader (runner.diagnose.logtext) finds in the new
    pod's previous logs, if any."""
    from runner.diagnose.logtext import last_error_line

    line = last_error_line(previous_log)
    return [f"its last run logged: {line.strip()}"] if line and line.strip() else []


def guard_words(guards) -> list[str]:
    """`not allowed: <says>` once for each failed guard (GuardResult), in the scenario's words."""
    return list(dict.fromkeys(f"not allowed: {result.says}" for result in guards
                              if not result.ok))


def not_fixed_lines(verdict, pod: dict | None, container: str, events: list[dict] | None = None,
                    before: str | None = None, previous_log: str | None = None) -> list[str]:
    """Why the fix is not verified yet: the failed guards first, then what the new pod did
    and the error its last run logged."""
    lines = guard_words(verdict.guards if verdict is not None else ())
    if not lines or (verdict is not None and verdict.mismatches):
        lines += pod_words(pod, container, events, before) + log_words(previous_log)
    return list(dict.fromkeys(lines))


def where_to_look(pod: dict | None, container: str, events: list[dict] | None,
                  previous_logs: str | None) -> list[str]:
    """The fields `kubectl describe pod` and `kubectl logs --previous` show, with this pod's
    values: the facts the flowchart reads, never the verdict."""
    if not pod:
        return ["no pod yet: run `kubectl get pods -w` and wait for one"]
    status = container_status(pod, container) or {}
    state = status.get("state") or {}
    current = next(iter(state), "unknown")
    detail = (state.get(current) or {}).get("reason") if isinstance(state.get(current), dict) \
        else None
    last = (status.get("lastState") or {}).get("terminated") or {}
    reasons = list(dict.fromkeys(str(e.get("reason")) for e in events or [] if e.get("reason")))
    lines = [f"State (kubectl describe pod): {current.capitalize()}"
             + (f", Reason {detail}" if detail else ""),
             "Last State (kubectl describe pod): " + (
                 f"Terminated, Reason {last.get('reason', '?')}, Exit Code "
                 f"{last.get('exitCode', '?')}" if last else "none yet"),
             f"Restart Count: {status.get('restartCount') or 0}",
             "Events' reasons (kubectl get events): " + (", ".join(reasons) or "none yet"),
             "Previous logs (kubectl logs --previous): " + (
                 "there are some: read the last lines" if (previous_logs or "").strip()
                 else "none (the container has not run and stopped yet, or wrote nothing)")]
    return lines


def diagnosis_lines(found, commands) -> list[str]:
    """The evidence panel, after the cause question only: the diagnosed cause in words
    (runner.diagnose CAUSE_TABLE), its summary, the evidence lines and `commands`."""
    from runner.diagnose.model import cause_name

    lines = [f"Cause: {cause_name(found.cause)} ({found.confidence} confidence)",
             found.summary, ""]
    return lines + [f"• {line}" for line in found.evidence] + [f"$ {line}" for line in commands]
