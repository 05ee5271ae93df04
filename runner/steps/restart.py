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


# Where a pod template names a ConfigMap or a Secret: (volume key, its name field,
# projected-source key, envFrom key, env valueFrom key). The source keys name it by `name`.
_REFERENCES = {"ConfigMap": ("configMap", "name", "configMap", "configMapRef", "configMapKeyRef"),
               "Secret": ("secret", "secretName", "secret", "secretRef", "secretKeyRef")}


def used_by(pod_spec: dict, kind: str) -> set[str]:
    """Names of the ConfigMaps or Secrets (`kind`) a pod template mounts or reads into its
    environment."""
    volume_key, volume_name, projected_key, env_from_key, value_from_key = _REFERENCES[kind]
    names = set()
    for volume in pod_spec.get("volumes") or []:
        if (volume.get(volume_key) or {}).get(volume_name):
            names.add(volume[volume_key][volume_name])
        for source in (volume.get("projected") or {}).get("sources") or []:
            if (source.get(projected_key) or {}).get("name"):
                names.add(source[projected_key]["name"])
    for container in (pod_spec.get("containers") or []) + (pod_spec.get("initContainers") or []):
        for source in container.get("envFrom") or []:
            if (source.get(env_from_key) or {}).get("name"):
                names.add(source[env_from_key]["name"])
        for var in container.get("env") or []:
            ref = (var.get("valueFrom") or {}).get(value_from_key) or {}
            if ref.get("name"):
                names.add(ref["name"])
    return names


def configmaps_used(pod_spec: dict) -> set[str]:
    return used_by(pod_spec, "ConfigMap")


def secrets_used(pod_spec: dict) -> set[str]:
    return used_by(pod_spec, "Secret")


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


