"""Restart timeline from pod snapshots: state transitions, restarts and the back-off seen.

kubelet's default back-off is 10 s doubling to a 300 s cap, but nodes can
change it (1.32+), so the observed delays are reported and only *compared*
with the default.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from runner.diagnose.podview import ContainerView, list_containers
from runner.podfacts import parse_time as _parse_time

DEFAULT_INITIAL_S = 10.0
DEFAULT_CAP_S = 300.0
_WAITING_BACKOFF = re.compile(r"back-off (\d+(?:m\d+)?s|\d+m)", re.I)


@dataclass(frozen=True)
class Transition:
    at: datetime
    container: str
    before: str
    after: str
    restart_count: int


@dataclass(frozen=True)
class Restart:
    at: datetime
    container: str
    restart_count: int
    backoff_s: float | None  # previous finish -> this start, from the pod's own timestamps
    interval_s: float | None  # since the previous restart seen


@dataclass
class Timeline:
    transitions: list[Transition] = field(default_factory=list)
    restarts: list[Restart] = field(default_factory=list)
    announced_backoffs_s: dict[str, list[float]] = field(default_factory=dict)

    def backoffs(self, container: str | None = None) -> list[float]:
        return [r.backoff_s for r in self.restarts
                if r.backoff_s is not None and container in (None, r.container)]

    def intervals(self, container: str | None = None) -> list[float]:
        return [r.interval_s for r in self.restarts
                if r.interval_s is not None and container in (None, r.container)]

    def verdict(self, container: str | None = None) -> str:
        return judge_backoff(self.restarts_of(container))

    def restarts_of(self, container: str | None) -> list[Restart]:
        return [r for r in self.restarts if container in (None, r.container)]

    @property
    def containers(self) -> list[str]:
        return list(dict.fromkeys(t.container for t in self.transitions))


def describe_state(view: ContainerView) -> str:
    """`Waiting CrashLoopBackOff`, `Running`, `Terminated OOMKilled (exit 137)`."""
    if view.waiting:
        return f"Waiting {view.waiting.get('reason') or ''}".strip()
    if view.running:
        return "Running" if view.ready is not False else "Running (not ready)"
    if view.terminated:
        term = view.terminated
        code = f" (exit {term['exitCode']})" if "exitCode" in term else ""
        return f"Terminated {term.get('reason') or ''}".strip() + code
    return "Unknown"


def build_timeline(snapshots) -> Timeline:
    """Timeline from `(observed_at, pod dict)` pairs, in any order."""
    timeline = Timeline()
    last: dict[str, tuple[str, int, datetime]] = {}
    ordered = sorted(((at, pod) for at, pod in snapshots if isinstance(pod, dict)),
                     key=lambda pair: pair[0])
    for observed_at, pod in ordered:
        for view in list_containers(pod):
            key = ("init:" if view.init else "") + (view.name or str(view.index))
            state = describe_state(view)
            previous = last.get(key)
            if previous is None or previous[0] != state or previous[1] != view.restart_count:
                timeline.transitions.append(Transition(observed_at, key, previous[0] if previous else "",
                                                       state, view.restart_count))
            if previous is not None and view.restart_count > previous[1]:
                timeline.restarts.append(_restart(timeline, key, view, observed_at))
            announced = _announced_backoff(view)
            if announced is not None:
                seen = timeline.announced_backoffs_s.setdefault(key, [])
                if not seen or seen[-1] != announced:
                    seen.append(announced)
            last[key] = (state, view.restart_count, observed_at)
    return timeline


def _restart(timeline: Timeline, key: str, view: ContainerView, observed_at: datetime) -> Restart:
    started = _parse_time(view.running.get("startedAt")) or _parse_time(view.terminated.get("startedAt"))
    finished = _parse_time(view.last_terminated.get("finishedAt"))
    at = started or observed_at
    backoff = (started - finished).total_seconds() if started and finished else None
    earlier = [r for r in timeline.restarts if r.container == key]
    interval = (at - earlier[-1].at).total_seconds() if earlier else None
    return Restart(at, key, view.restart_count, backoff, interval)


def _announced_backoff(view: ContainerView) -> float | None:
    """kubelet writes `back-off 40s restarting failed container=...` into waiting.message."""
    match = _WAITING_BACKOFF.search(str(view.waiting.get("message") or ""))
    if not match:
        return None
    text = match.group(1)
    minutes = re.match(r"(\d+)m", text)
    seconds = re.search(r"(\d+)s$", text)
    return (int(minutes.group(1)) * 60 if minutes else 0) + (int(seconds.group(1)) if seconds else 0)


def expected_default_backoff(restart_count: int) -> float:
    """Default kubelet delay before restart number `restart_count` (the first is immediate)."""
    if restart_count <= 1:
        return 0.0
    return min(DEFAULT_INITIAL_S * 2 ** (restart_count - 2), DEFAULT_CAP_S)


def judge_backoff(restarts: list[Restart]) -> str:
    """Compare observed delays with the default (10 s doubling, 300 s cap); say what was seen."""
    delays = [(r.restart_count, r.backoff_s if r.backoff_s is not None else r.interval_s)
              for r in restarts]
    delays = [(n, d) for n, d in delays if d is not None]
    if len(delays) < 2:
        return "too few restarts observed to judge the back-off"
    observed = _fold_values([d for _, d in delays])
    # Delays are measured from the pod's timestamps or from polling, so they run late by up
    # to a sync period plus start-up time; never early.
    # Which restart gets the first 10 s differs by one between kubelet versions: accept both.
    fits_default = any(
        all(expected_default_backoff(n + shift) - 2 <= d <= expected_default_backoff(n + shift) * 1.3 + 15
            for n, d in delays)
        for shift in (0, 1))
    if fits_default:
        return f"observed delays {observed}: consistent with the default back-off (10s doubling, 300s cap)"
    values = [d for _, d in delays]
    steady = _steady(values)
    if steady is not None:
        return (f"observed delays {observed}: steady at {steady:.0f}s; not the default back-off "
                "(10s doubling, 300s cap) — the node may set its own (crashLoopBackOff settings)")
    plateau = max(values)
    grows = all(b >= a * 1.5 for a, b in zip(values, values[1:]) if a >= 1 and b < plateau * 0.9)
    shape = "growing" if grows else "not doubling"
    cap = f", levelling off near {plateau:.0f}s" if values.count(plateau) > 1 or \
        (len(values) > 2 and values[-1] >= plateau * 0.9 and values[-2] >= plateau * 0.9) else ""
    return (f"observed delays {observed}: {shape}{cap}; not the default back-off "
            "(10s doubling, 300s cap) — the node may set its own (crashLoopBackOff settings)")


def _steady(values: list[float]) -> float | None:
    """The delay when every one (after an immediate first restart) is about the same, else None."""
    rest = values[1:] if values and values[0] < 1 else values
    if len(rest) < 2:
        return None
    middle = sorted(rest)[len(rest) // 2]
    return middle if all(abs(v - middle) <= max(2.0, middle * 0.1) for v in rest) else None


def _fold_values(values: list[float]) -> str:
    """`1s, 2s, 60s x3`: a run of equal (rounded) delays is written once with its count."""
    runs: list[list] = []
    for value in (f"{v:.0f}s" for v in values):
        if runs and runs[-1][0] == value:
            runs[-1][1] += 1
        else:
            runs.append([value, 1])
    return ", ".join(value if count == 1 else f"{value} x{count}" for value, count in runs)


def _fold_rows(rows: list[tuple[tuple, str, str]]) -> list[str]:
    """Rows whose (container, change) pattern repeats the block just before it (a block of 1 to
    3 rows: one crash-restart cycle) are folded into one line that says how often and until when."""
    keys = [key for key, _, _ in rows]
    lines, index = [], 0
    while index < len(rows):
        for size in (1, 2, 3):
            block = keys[index:index + size]
            times = 1
            while len(block) == size and keys[index + times * size:index + (times + 1) * size] == block:
                times += 1
            if times > 1:
                lines += [line for _, line, _ in rows[index:index + size]]
                until = rows[index + times * size - 1][2]
                lines.append(f"{'':9} ... the same {size} row{'s' if size > 1 else ''} {times - 1} more "
                             f"time{'s' if times > 2 else ''}, until {until}")
                index += times * size
                break
        else:
            lines.append(rows[index][1])
            index += 1
    return lines


def render_timeline(timeline: Timeline) -> str:
    """Plain text: one line per transition, then restarts and the back-off verdict per container."""
    if not timeline.transitions:
        return "no snapshots"
    start = timeline.transitions[0].at
    lines = ["time      container      restarts  state"]
    rows = []
    for t in timeline.transitions:
        offset = (t.at - start).total_seconds()
        change = f"{t.before} -> {t.after}" if t.before else t.after
        rows.append(((t.container, change), f"+{offset:>6.0f}s  {t.container:<14} {t.restart_count:>8}  {change}",
                     f"+{offset:.0f}s (restarts {t.restart_count})"))
    lines += _fold_rows(rows)
    for container in timeline.containers:
        restarts = timeline.restarts_of(container)
        if not restarts:
            continue
        lines.append("")
        lines.append(f"{container}: {len(restarts)} restart(s) observed")
        intervals = [f"{r.interval_s:.0f}s" for r in restarts if r.interval_s is not None]
        if intervals:
            lines.append(f"  intervals between restarts: {', '.join(intervals)}")
        announced = timeline.announced_backoffs_s.get(container)
        if announced:
            lines.append(f"  kubelet announced back-off: {', '.join(f'{a:.0f}s' for a in announced)}")
        lines.append(f"  {timeline.verdict(container)}")
    return "\n".join(lines)
