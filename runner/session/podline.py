"""The one live line per pod: phase, reason, exit code, restarts, time to the next retry. Pure."""

from __future__ import annotations

import datetime
import re

from runner.podfacts import container_status, parse_time

_BACKOFF = re.compile(r"back-off (?:(\d+)m)?(\d+)?s?\b", re.I)


def announced_backoff(message: str | None) -> int | None:
    """`back-off 20s restarting failed container=...` -> 20 (`back-off 5m0s` -> 300)."""
    found = _BACKOFF.search(message or "")
    if not found or not (found.group(1) or found.group(2)):
        return None
    return int(found.group(1) or 0) * 60 + int(found.group(2) or 0)


def next_retry_seconds(status: dict, now: datetime.datetime) -> float | None:
    """Seconds until kubelet tries again: last finishedAt + announced back-off - now."""
    waiting = (status.get("state") or {}).get("waiting") or {}
    delay = announced_backoff(waiting.get("message"))
    finished = parse_time(((status.get("lastState") or {}).get("terminated") or {})
                           .get("finishedAt"))
    if delay is None or finished is None:
        return None
    return max(0.0, (finished - now).total_seconds() + delay)


def pod_line(pod: dict, container: str, now: datetime.datetime | None = None,
             reasons: bool = True) -> str:
    """One line for a pod. `reasons=False` (before the quiz) leaves out the termination and
    waiting reasons and exit codes: finding them (kubectl describe) is the learner's work."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    cstatus = container_status(pod, container) or {}
    state = cstatus.get("state") or {}
    parts = [f"{meta.get('name', '?')}", status.get("phase") or "Pending"]
    if not reasons:
        parts.append("waiting" if state.get("waiting") else "exited" if state.get("terminated")
                     else ("running, ready" if cstatus.get("ready") else "running, not ready")
                     if state.get("running") else "starting")
    elif state.get("waiting"):
        parts.append(state["waiting"].get("reason") or "Waiting")
    elif state.get("terminated"):
        term = state["terminated"]
        parts.append(f"{term.get('reason') or 'Terminated'} (exit {term.get('exitCode')})")
    elif state.get("running"):
        parts.append("Running, ready" if cstatus.get("ready") else "Running, not ready")
    last = (cstatus.get("lastState") or {}).get("terminated")
    if last and reasons:
        parts.append(f"last: {last.get('reason')} exit {last.get('exitCode')}")
    parts.append(f"restarts {cstatus.get('restartCount', 0)}")
    retry = next_retry_seconds(cstatus, now)
    if retry is not None:
        parts.append(f"next retry in {retry:.0f}s")
    if meta.get("deletionTimestamp"):
        parts.append("terminating")
    return "  ".join(parts)
