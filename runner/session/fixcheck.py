"""Before and after applying a fix, pure: check the learner's file, and say why a verdict is
not "fixed" yet. (The ConfigMap-restart rule is runner.steps.restart.)"""

from __future__ import annotations

from runner.errors import InputError


def check_objects(objects: list[dict], namespace: str, source: str) -> list[dict]:
    """Refuse objects the lab must not apply from this file (another namespace, none at all)."""
    if not objects:
        raise InputError(f"{source}: holds no Kubernetes object; put the scenario's manifest back "
                         "(crashlab reset) or undo your edit")
    for obj in objects:
        meta = obj.get("metadata") or {}
        other = meta.get("namespace")
        what = f"{obj.get('kind')}/{meta.get('name')}"
        if other and other != namespace:
            raise InputError(f"{source}: {what} names namespace {other}; this scenario only "
                             f"applies into {namespace}: change metadata.namespace back")
        if obj.get("kind") == "Namespace":
            raise InputError(f"{source}: {what} is a Namespace; the lab manages namespaces "
                             "itself: remove that document")
    return objects


def verdict_lines(verdict) -> list[str]:
    """`field: got X, want Y` lines, then each failed guard's `says` with its mismatches."""
    lines = [str(m) for m in sorted(verdict.mismatches, key=lambda m: m.path)]
    for result in verdict.guards:
        if not result.ok:
            lines.append(f"not allowed: {result.says}")
            lines += [f"  {m}" for m in sorted(result.mismatches, key=lambda m: m.path)]
    return lines


def _only_spec(check) -> bool:
    """A Pod guard that reads nothing but `spec` can be judged on the pod template."""
    return isinstance(check, dict) and set(check) == {"spec"}


def manifest_guard_failures(guards, objects: list[dict], workload_kind: str,
                            workload_name: str) -> list:
    """Guards the objects alone prove broken, before anything is applied (GuardResults).

    A `Kind/name` guard is judged on that object when the file holds it; a Pod guard that
    reads only `spec` is judged on the workload's pod template. Anything else waits for the
    cluster (runner.expect.judge_fix)."""
    from runner.expect import check_guards
    from runner.steps.restart import pod_spec_of, workload_of

    by_name = {f"{o.get('kind')}/{(o.get('metadata') or {}).get('name')}": o for o in objects}
    workload = workload_of(objects, workload_kind, workload_name)
    if workload is not None:
        by_name["Pod"] = {"spec": pod_spec_of(workload)}
    judged = [g for g in guards if g.object in by_name
              and (g.object != "Pod" or _only_spec(g.check))]
    return [result for result in check_guards(judged, by_name) if not result.ok]


def detail_lines(verdict_or_guards) -> list[str]:
    """The matcher's own `field: got X, want Y` lines, for unattended logs (never the learner)."""
    guards = getattr(verdict_or_guards, "guards", verdict_or_guards)
    mismatches = list(getattr(verdict_or_guards, "mismatches", []))
    lines = [str(m) for m in sorted(mismatches, key=lambda m: m.path)]
    for result in guards:
        lines += [str(m) for m in sorted(result.mismatches, key=lambda m: m.path)]
    return list(dict.fromkeys(lines))
