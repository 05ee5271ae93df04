"""Before and after applying a fix, pure: check the learner's file, find changed ConfigMaps
the workload reads, and say why a verdict is not "fixed" yet."""

from __future__ import annotations

from runner.errors import InputError

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


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


def configmaps_used(pod_spec: dict) -> set[str]:
    """Names of the ConfigMaps a pod template mounts or reads into its environment."""
    names = set()
    for volume in pod_spec.get("volumes") or []:
        if (volume.get("configMap") or {}).get("name"):
            names.add(volume["configMap"]["name"])
        for source in (volume.get("projected") or {}).get("sources") or []:
            if (source.get("configMap") or {}).get("name"):
                names.add(source["configMap"]["name"])
    for container in (pod_spec.get("containers") or []) + (pod_spec.get("initContainers") or []):
        for source in container.get("envFrom") or []:
            if (source.get("configMapRef") or {}).get("name"):
                names.add(source["configMapRef"]["name"])
        for var in container.get("env") or []:
            ref = (var.get("valueFrom") or {}).get("configMapKeyRef") or {}
            if ref.get("name"):
                names.add(ref["name"])
    return names


def workload_of(objects: list[dict], kind: str, name: str) -> dict | None:
    return next((o for o in objects if o.get("kind") == kind
                 and (o.get("metadata") or {}).get("name") == name), None)


def pod_spec_of(workload: dict | None) -> dict:
    return (((workload or {}).get("spec") or {}).get("template") or {}).get("spec") or {}


def changed_configmaps(objects: list[dict], live: dict[str, dict | None],
                       used: set[str]) -> list[str]:
    """ConfigMaps in `objects` that the workload uses and whose data differs from `live`."""
    changed = []
    for obj in objects:
        name = (obj.get("metadata") or {}).get("name")
        if obj.get("kind") != "ConfigMap" or name not in used:
            continue
        before = live.get(name)
        if before is None:
            continue  # a new ConfigMap: pods waiting for it pick it up on their own
        if (obj.get("data") or {}) != (before.get("data") or {}) or \
                (obj.get("binaryData") or {}) != (before.get("binaryData") or {}):
            changed.append(name)
    return sorted(changed)


def restart_patch(stamp: str) -> dict:
    """What `kubectl rollout restart` changes: an annotation on the pod template."""
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}


def guard_objects(guards) -> list[str]:
    """The `Kind/name` objects (not the Pod) the guards look at."""
    return sorted({guard.object for guard in guards if guard.object != "Pod"})


def verdict_lines(verdict) -> list[str]:
    """`field: got X, want Y` lines, then each failed guard's `says` with its mismatches."""
    lines = [str(m) for m in sorted(verdict.mismatches, key=lambda m: m.path)]
    for result in verdict.guards:
        if not result.ok:
            lines.append(f"not allowed: {result.says}")
            lines += [f"  {m}" for m in sorted(result.mismatches, key=lambda m: m.path)]
    return lines
