"""The ConfigMap-restart rule, once: a changed ConfigMap does not restart the pods that read
it, so after applying one the lab restarts the workload, as `kubectl rollout restart` would.
The same holds for a Secret: environment variables never change, and a mounted Secret is
refreshed by the kubelet only on its next sync, after the restarted container has read the
old files again. Pure."""

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
                       used: set[str], kind: str = "ConfigMap") -> list[str]:
    """ConfigMaps (or Secrets, with `kind`) in `objects` that the workload uses and whose
    data differs from `live`."""
    changed = []
    for obj in objects:
        name = (obj.get("metadata") or {}).get("name")
        if obj.get("kind") != kind or name not in used:
            continue
        before = live.get(name)
        if before is None:
            continue  # a new one: pods waiting for it pick it up on their own
        if any((obj.get(key) or {}) != (before.get(key) or {}) for key in _DATA_KEYS[kind]):
            changed.append(name)
    return sorted(changed)


_DATA_KEYS = {"ConfigMap": ("data", "binaryData"), "Secret": ("data", "stringData")}


def secrets_used(pod_spec: dict) -> set[str]:
    """Names of the Secrets a pod template mounts or reads into its environment."""
    names = set()
    for volume in pod_spec.get("volumes") or []:
        if (volume.get("secret") or {}).get("secretName"):
            names.add(volume["secret"]["secretName"])
        for source in (volume.get("projected") or {}).get("sources") or []:
            if (source.get("secret") or {}).get("name"):
                names.add(source["secret"]["name"])
    for container in (pod_spec.get("containers") or []) + (pod_spec.get("initContainers") or []):
        for source in container.get("envFrom") or []:
            if (source.get("secretRef") or {}).get("name"):
                names.add(source["secretRef"]["name"])
        for var in container.get("env") or []:
            ref = (var.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name"):
                names.add(ref["name"])
    return names
