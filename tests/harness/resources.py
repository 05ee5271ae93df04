"""The resources the emulator serves: URL plural -> (apiVersion, kind, namespaced)."""

RESOURCES = {
    "namespaces": ("v1", "Namespace", False),
    "nodes": ("v1", "Node", False),
    "pods": ("v1", "Pod", True),
    "events": ("v1", "Event", True),
    "configmaps": ("v1", "ConfigMap", True),
    "secrets": ("v1", "Secret", True),
    "services": ("v1", "Service", True),
    "serviceaccounts": ("v1", "ServiceAccount", True),
    "persistentvolumeclaims": ("v1", "PersistentVolumeClaim", True),
    "deployments": ("apps/v1", "Deployment", True),
    "replicasets": ("apps/v1", "ReplicaSet", True),
    "statefulsets": ("apps/v1", "StatefulSet", True),
    "daemonsets": ("apps/v1", "DaemonSet", True),
    "jobs": ("batch/v1", "Job", True),
    "cronjobs": ("batch/v1", "CronJob", True),
    "roles": ("rbac.authorization.k8s.io/v1", "Role", True),
    "rolebindings": ("rbac.authorization.k8s.io/v1", "RoleBinding", True),
    "clusterroles": ("rbac.authorization.k8s.io/v1", "ClusterRole", False),
    "clusterrolebindings": ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", False),
    "networkpolicies": ("networking.k8s.io/v1", "NetworkPolicy", True),
    "poddisruptionbudgets": ("policy/v1", "PodDisruptionBudget", True),
}

# Kinds whose spec changes bump metadata.generation.
GENERATION_KINDS = {"deployments", "replicasets", "statefulsets", "daemonsets", "jobs",
                    "cronjobs"}


def group_version(plural: str) -> str:
    return RESOURCES[plural][0]


def parse_path(path: str) -> tuple[str, str, str | None, str | None] | None:
    """'/apis/apps/v1/namespaces/ns/deployments/x' -> ('deployments', 'ns', 'x', None).

    Cluster-scoped objects get namespace ''. None for paths that are not resources.
    """
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        version, rest = "v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        version, rest = f"{parts[1]}/{parts[2]}", parts[3:]
    else:
        return None
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
        namespace, rest = rest[1], rest[2:]
    if not rest or rest[0] not in RESOURCES or group_version(rest[0]) != version:
        return None
    plural = rest[0]
    if RESOURCES[plural][2] is False and namespace:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    return plural, namespace, name, sub
