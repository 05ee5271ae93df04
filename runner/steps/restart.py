"""The ConfigMap-restart rule, once: a changed ConfigMap does not restart the pods that read
it, so after applying one the lab restarts the workload, as `kubectl rollout restart` would.
Pure."""

from __future__ import annotations


def workload_of(objects: list[dict], kind: str, name: str) -> dict | None:
    return next((o for o in objects if o.get("kind") == kind
                 and (o.get("metadata") or {}).get("name") == name), None)


def pod_spec_of(workload: dict | None) -> dict:
    return (((workload or {}).get("spec") or {}).get("template") or {}).get("spec") or {}


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
