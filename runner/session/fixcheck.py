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
