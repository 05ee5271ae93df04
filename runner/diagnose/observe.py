"""Local equivalents of the workshop's three KQL queries, over lists of pod and event dicts,
and the KQL itself (rendered from templates/) for clusters with Container insights."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from runner.diagnose.events import normalize_event
from runner.diagnose.podview import list_containers, pod_name, pod_namespace
from runner.errors import UsageError
from runner.podfacts import parse_time as _parse_time

TEMPLATES = Path(__file__).parent / "templates"
KQL_QUERIES = ("restarts", "crashloop", "warnings")
CLUSTER_PLACEHOLDER = "<your-cluster-name>"
PLACEHOLDER_NOTE = (f"note: replace {CLUSTER_PLACEHOLDER} with your cluster's name as Log Analytics "
                    "records it (the ClusterName column; on AKS the cluster's resource name), or "
                    "run again with --cluster-name NAME")
_TIMESPAN = re.compile(r"^(\d+)(ms|s|m|h|d)$")


@dataclass(frozen=True)
class RestartingContainer:
    namespace: str | None
    pod: str | None
    container: str | None
    restarts: int
    last_restart: datetime | None


@dataclass(frozen=True)
class CrashLooping:
    namespace: str | None
    pod: str | None
    container: str | None
    reason: str
    cause: str | None = None  # what `crashlab diagnose` names from the pod and its events


@dataclass(frozen=True)
class WarningCount:
    namespace: str | None
    reason: str
    count: int


def parse_timespan(text: str) -> timedelta:
    """`90s`, `15m`, `1h`, `1d` (KQL timespan literals) -> timedelta."""
    match = _TIMESPAN.match(str(text).strip())
    if not match:
        raise UsageError(f"cannot read duration {text!r}: use a number and a unit (ms, s, m, h, d), e.g. 1h")
    number, unit = int(match.group(1)), match.group(2)
    return timedelta(**{{"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours",
                         "d": "days"}[unit]: number})


def find_restarting(pods, now: datetime, window: timedelta = timedelta(hours=1),
                    min_restarts: int = 5) -> list[RestartingContainer]:
    """Containers with more than `min_restarts` restarts whose last restart is inside the window.

    The last restart is the newest of lastState.terminated.finishedAt and the current
    state's startedAt; a container without any timestamp is kept (it cannot be ruled out).
    """
    rows = []
    for pod in pods or ():
        for view in list_containers(pod):
            if view.restart_count <= min_restarts:
                continue
            last = _last_restart(view)
            if last is not None and last < now - window:
                continue
            rows.append(RestartingContainer(pod_namespace(pod), pod_name(pod), view.name,
                                            view.restart_count, last))
    return sorted(rows, key=lambda r: (-r.restarts, r.namespace or "", r.pod or ""))


def find_crashlooping(pods, events=()) -> list[CrashLooping]:
    """Containers (init ones too) whose current state is waiting CrashLoopBackOff, each with
    the cause the flowchart names from the pod and its events (no logs: often a low guess)."""
    from runner.diagnose.engine import diagnose

    rows = []
    for pod in pods or ():
        for view in list_containers(pod):
            if view.waiting_reason == "CrashLoopBackOff":
                found = diagnose(pod, _events_of(events, pod), container=view.name)
                rows.append(CrashLooping(pod_namespace(pod), pod_name(pod), view.name,
                                         view.waiting_reason, found.cause))
    return rows


def _events_of(events, pod) -> list:
    name, namespace = pod_name(pod), pod_namespace(pod)
    picked = []
    for raw in events or ():
        involved = raw.get("involvedObject") or raw.get("regarding") if isinstance(raw, dict) else None
        if isinstance(involved, dict) and involved.get("name") == name and \
                involved.get("namespace", namespace) == namespace:
            picked.append(raw)
    return picked


def count_warnings(events, now: datetime | None = None,
                   window: timedelta | None = None) -> list[WarningCount]:
    """Warning events summed by namespace and reason (event `count` / series), most first."""
    totals: dict[tuple, int] = {}
    for raw in events or ():
        event = normalize_event(raw)
        if event is None or event.type != "Warning":
            continue
        if now is not None and window is not None:
            seen = _parse_time(event.last_seen)
            if seen is not None and seen < now - window:
                continue
        key = (event.namespace, event.reason)
        totals[key] = totals.get(key, 0) + event.count
    rows = [WarningCount(ns, reason, count) for (ns, reason), count in totals.items()]
    return sorted(rows, key=lambda r: (-r.count, r.namespace or "", r.reason))


def render_kql(cluster_name: str | None, since: str | None = None, min_restarts: int = 5) -> str:
    """The workshop's three KQL queries for `cluster_name` (None: CLUSTER_PLACEHOLDER, to be
    filled in); `since` overrides 1h / 1d / 1d."""
    import jinja2

    if cluster_name is None:
        cluster_name = CLUSTER_PLACEHOLDER
    if not isinstance(cluster_name, str) or not cluster_name.strip():
        raise UsageError("give the cluster name: --cluster-name NAME (as Log Analytics knows it)")
    if since is not None:
        parse_timespan(since)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=True)
    env.filters["kql_string"] = quote_kql_string
    values = {"cluster_name": cluster_name, "min_restarts": int(min_restarts),
              "restarts_since": since or "1h", "crashloop_since": since or "1d",
              "warnings_since": since or "1d"}
    titles = {
        "restarts": f"// containers restarted more than {int(min_restarts)} times "
                    f"in the last {values['restarts_since']}",
        "crashloop": f"// pods in CrashLoopBackOff in the last {values['crashloop_since']}",
        "warnings": f"// Warning events by namespace and reason in the last {values['warnings_since']}",
    }
    parts = [titles[name] + "\n" + env.get_template(f"{name}.kql.j2").render(**values).strip()
             for name in KQL_QUERIES]
    return "\n\n".join(parts) + "\n"


def quote_kql_string(value: str) -> str:
    """A KQL double-quoted string literal: backslash, quote and control characters escaped."""
    out = []
    for char in str(value):
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 32:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _last_restart(view) -> datetime | None:
    times = [_parse_time(view.last_terminated.get("finishedAt")),
             _parse_time(view.running.get("startedAt")),
             _parse_time(view.terminated.get("finishedAt"))]
    times = [t for t in times if t is not None]
    return max(times) if times else None
