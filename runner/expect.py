"""Expected state as data: partial matches, forbidden-fix guards and the stability window.

Pure: no I/O. Expectations are YAML-shaped trees matched against objects as the
API returns them (camelCase dicts). A mapping with a single `$op` key is an
operator; a list matches when each expected item matches some actual item
(items with a `name` are paired by name, like containers and env vars).
Failures come back as `Mismatch(path, got, want)`, printed `path: got X, want Y`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from runner.podfacts import container_status

MISSING = object()
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")
_FACTORS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_COMPARISONS = {"$gte": (">=", lambda a, b: a >= b), "$lte": ("<=", lambda a, b: a <= b),
                "$gt": (">", lambda a, b: a > b), "$lt": ("<", lambda a, b: a < b)}
OPERATORS = ("$exists", "$eq", "$ne", "$in", "$notIn", "$matches", "$anyOf", "$allOf", *_COMPARISONS)
# Operators that hold when the field is absent: "not 0" and "not in X" are true of nothing.
_ABSENT_OK = {"$ne", "$notIn"}


@dataclass(frozen=True)
class Mismatch:
    path: str
    got: object
    want: str

    def __str__(self) -> str:
        return f"{self.path}: got {show(self.got)}, want {self.want}"


def show(value) -> str:
    if value is MISSING:
        return "<missing>"
    if isinstance(value, str):
        return value if value and len(value) <= 80 and "\n" not in value else repr(value[:80])
    return repr(value) if not isinstance(value, (dict, list)) else _short(value)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_quantity(value) -> float | None:
    """A number or Kubernetes quantity ("192Mi", "0.5", "500m") as a float; None if it isn't one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    found = _QUANTITY.match(value.strip())
    if not found:
        return None
    try:
        return float(found.group(1)) * _FACTORS[found.group(2)]
    except ValueError:
        return None


def _operator(expected) -> str | None:
    if isinstance(expected, dict) and len(expected) == 1:
        key = next(iter(expected))
        if isinstance(key, str) and key.startswith("$"):
            return key
    return None


def match(expected, actual, path: str = "") -> list[Mismatch]:
    """Every way `actual` differs from `expected` (an empty list means it matches)."""
    op = _operator(expected)
    if op is not None:
        return _match_operator(op, expected[op], actual, path)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [Mismatch(path or "(object)", actual, "a mapping")]
        found = []
        for key, want in expected.items():
            found += match(want, actual.get(key, MISSING), _join(path, key))
        return found
    if isinstance(expected, list):
        return _match_list(expected, actual, path)
    if actual is MISSING or actual != expected:
        return [Mismatch(path, actual, show(expected))]
    return []


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _match_list(expected: list, actual, path: str) -> list[Mismatch]:
    if not isinstance(actual, list):
        return [Mismatch(path, actual, "a list")]
    found = []
    for index, want in enumerate(expected):
        name = want.get("name") if isinstance(want, dict) and "name" in want else None
        if name is not None:
            named = [item for item in actual if isinstance(item, dict) and item.get("name") == name]
            if not named:
                found.append(Mismatch(f"{path}[{name}]", MISSING, "present"))
            else:
                found += match(want, named[0], f"{path}[{name}]")
        elif not any(not match(want, item) for item in actual):
            best = min((match(want, item, f"{path}[{i}]") for i, item in enumerate(actual)),
                       key=len, default=[Mismatch(f"{path}[{index}]", MISSING, "an item")])
            found += best
    return found


def _match_operator(op: str, arg, actual, path: str) -> list[Mismatch]:
    if actual is MISSING and op in _ABSENT_OK:
        return []
    if op == "$exists":
        present = actual is not MISSING and actual is not None
        return [] if present == bool(arg) else [Mismatch(path, actual, "present" if arg else "absent")]
    if op == "$anyOf":
        attempts = [match(option, actual, path) for option in arg]
        if any(not attempt for attempt in attempts):
            return []
        return [Mismatch(path, actual, " or ".join(_describe(option) for option in arg))]
    if op == "$allOf":
        return [m for option in arg for m in match(option, actual, path)]
    if actual is MISSING:
        return [Mismatch(path, actual, _describe({op: arg}))]
    if _holds(op, arg, actual):
        return []
    return [Mismatch(path, actual, _describe({op: arg}))]


def _holds(op: str, arg, actual) -> bool:
    if op == "$eq":
        return actual == arg
    if op == "$ne":
        return actual != arg
    if op == "$in":
        return actual in arg
    if op == "$notIn":
        return actual not in arg
    if op == "$matches":
        text = " ".join(map(str, actual)) if isinstance(actual, list) else str(actual)
        return re.search(arg, text) is not None
    symbol, compare = _COMPARISONS[op]
    left, right = parse_quantity(actual), parse_quantity(arg)
    return left is not None and right is not None and compare(left, right)


def _describe(expected) -> str:
    op = _operator(expected)
    if op is None:
        return show(expected) if not isinstance(expected, (dict, list)) else _short(expected)
    arg = expected[op]
    if op in _COMPARISONS:
        return f"{_COMPARISONS[op][0]} {arg}"
    if op == "$exists":
        return "present" if arg else "absent"
    if op in ("$eq", "$ne"):
        return ("exactly " if op == "$eq" else "anything but ") + show(arg)
    if op in ("$in", "$notIn"):
        return ("one of " if op == "$in" else "none of ") + ", ".join(map(show, arg))
    if op == "$matches":
        return f"matching /{arg}/"
    joiner = " or " if op == "$anyOf" else " and "
    return joiner.join(_describe(option) for option in arg)


def lint_expectation(expected, path: str = "") -> list[tuple[str, str]]:
    """Problems in an expectation tree itself (unknown operators, wrong argument types)."""
    op = _operator(expected)
    if op is not None:
        return _lint_operator(op, expected[op], path)
    if isinstance(expected, dict):
        found = []
        for key, value in expected.items():
            if isinstance(key, str) and key.startswith("$"):
                found.append((_join_sub(path, key), f"operator {key} must be the only key of its mapping"))
            else:
                found += lint_expectation(value, _join_sub(path, key))
        return found
    if isinstance(expected, list):
        return [p for i, item in enumerate(expected) for p in lint_expectation(item, f"{path}[{i}]")]
    return []


def _join_sub(path: str, key) -> str:
    return f"{path}.{key}"


def _lint_operator(op: str, arg, path: str) -> list[tuple[str, str]]:
    where = _join_sub(path, op)
    if op not in OPERATORS:
        return [(where, f"unknown operator; use one of: {', '.join(OPERATORS)}")]
    if op in ("$in", "$notIn") and not isinstance(arg, list):
        return [(where, "needs a list of values")]
    if op in ("$anyOf", "$allOf"):
        if not isinstance(arg, list) or not arg:
            return [(where, "needs a non-empty list of expectations")]
        return [p for i, item in enumerate(arg) for p in lint_expectation(item, f"{where}[{i}]")]
    if op == "$matches":
        try:
            re.compile(arg)
        except (re.error, TypeError) as error:
            return [(where, f"not a valid regular expression: {error}")]
    if op in _COMPARISONS and parse_quantity(arg) is None:
        return [(where, f"needs a number or quantity, got {arg!r}")]
    if op == "$exists" and not isinstance(arg, bool):
        return [(where, "needs true or false")]
    return []


# --- guards ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GuardResult:
    id: str
    says: str
    object: str
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.mismatches


def check_guards(guards, objects: dict[str, dict]) -> list[GuardResult]:
    """Evaluate each guard against its object ("Pod" or "Kind/name" -> object dict)."""
    results = []
    for guard in guards:
        target = objects.get(guard.object)
        if target is None:
            mismatches = (Mismatch(guard.object, MISSING, "present"),)
        else:
            mismatches = tuple(match(guard.check, target))
        results.append(GuardResult(guard.id, guard.says, guard.object, mismatches))
    return results


# --- pods over time -------------------------------------------------------------------------------

_PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3}


def stability_window(pod: dict, container: str, floor: int) -> int:
    """Seconds a fixed pod must stay Ready without restarting before the fix counts.

    Long enough for a failing liveness probe to have killed the container at
    least once (initial delay + period x threshold + timeout), and never less
    than the scenario's floor (a crash at start shows within the first back-off).
    """
    spec = _container(pod.get("spec", {}).get("containers"), container) or {}
    window = floor
    probe = spec.get("livenessProbe")
    if isinstance(probe, dict):
        settings = {key: _int(probe.get(key), default) for key, default in _PROBE_DEFAULTS.items()}
        window = max(window, settings["initialDelaySeconds"]
                     + settings["periodSeconds"] * settings["failureThreshold"]
                     + settings["timeoutSeconds"])
    return window


def _int(value, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _container(items, name: str):
    return next((item for item in items or [] if isinstance(item, dict) and item.get("name") == name), None)


@dataclass(frozen=True)
class Observation:
    """One pod as seen at one moment (seconds on a monotonic clock)."""

    at: float
    pod: dict


@dataclass
class Verdict:
    """Where a fix stands: "fixed", "settling" (looks right, window not over) or "not_fixed"."""

    state: str
    mismatches: list[Mismatch] = field(default_factory=list)
    guards: list[GuardResult] = field(default_factory=list)
    remaining_seconds: float = 0.0
    window_seconds: int = 0
    pod_uid: str | None = None
    restarts: int | None = None

    @property
    def fixed(self) -> bool:
        return self.state == "fixed"


def judge_fix(fixed, guards, container: str, history: list[Observation], now: float,
              objects: dict[str, dict] | None = None, window: int | None = None,
              counted_from: float | None = None) -> Verdict:
    """Judge the newest pod in `history`: matches the fixed state, passes every guard, and has
    stayed so, Ready and without a restart, for the stability window.

    `counted_from`, when given, is where the window may start at the earliest (after a stall
    in the evidence, it begins again)."""
    if not history:
        return Verdict("not_fixed", [Mismatch("pod", MISSING, "a running pod")])
    latest = history[-1].pod
    uid = (latest.get("metadata") or {}).get("uid")
    window = window if window is not None else stability_window(latest, container, fixed.min_stable_seconds)
    status = container_status(latest, container) or {}
    restarts = status.get("restartCount")
    verdict = Verdict("not_fixed", window_seconds=window, pod_uid=uid, restarts=restarts)
    verdict.mismatches = match(fixed.pod, latest)
    verdict.guards = check_guards(guards, {**(objects or {}), "Pod": latest})
    if verdict.mismatches or not all(result.ok for result in verdict.guards):
        return verdict
    since = _good_since(fixed, container, history, uid, restarts)
    if counted_from is not None:
        since = max(since, counted_from)
    elapsed = now - since
    if elapsed >= window:
        verdict.state = "fixed"
    else:
        verdict.state = "settling"
        verdict.remaining_seconds = window - elapsed
    return verdict


def _good_since(fixed, container: str, history: list[Observation], uid, restarts) -> float:
    """When the current unbroken run of good observations of this pod began."""
    since = history[-1].at
    for observation in reversed(history):
        pod = observation.pod
        same_pod = (pod.get("metadata") or {}).get("uid") == uid
        status = container_status(pod, container) or {}
        if not same_pod or status.get("restartCount") != restarts or match(fixed.pod, pod):
            break
        since = observation.at
    return since


def check_symptom(symptom, pod: dict | None, events: list[dict], logs: str | None) -> list[Mismatch]:
    """What the broken pod does not (yet) show of the scenario's expected symptom."""
    found = match(symptom.pod, pod) if pod is not None else [Mismatch("pod", MISSING, "a pod")]
    for index, want in enumerate(symptom.events):
        if not any(not match(want, event) for event in events):
            found.append(Mismatch(f"events[{index}]", MISSING, _describe_event(want)))
    for line in symptom.logs:
        if line not in (logs or ""):
            found.append(Mismatch("logs", MISSING, f"a line containing {line!r}"))
    return found


def _describe_event(want: dict) -> str:
    parts = [f"{key} {_describe(value)}" for key, value in want.items()]
    return "an event with " + ", ".join(parts)
