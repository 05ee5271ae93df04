"""Which kinds the lab may apply, where they live in the API, and the checks before applying.

Pure: no I/O and no `kubernetes` import, so it can be tested and reused on its own.
"""

import re

from runner import ownership

# (apiVersion, kind) -> (API prefix, plural): the namespaced kinds a scenario may create.
NAMESPACED_KINDS: dict[tuple[str, str], tuple[str, str]] = {
    ("v1", "ConfigMap"): ("/api/v1", "configmaps"),
    ("v1", "Secret"): ("/api/v1", "secrets"),
    ("v1", "Service"): ("/api/v1", "services"),
    ("v1", "Pod"): ("/api/v1", "pods"),
    ("v1", "ServiceAccount"): ("/api/v1", "serviceaccounts"),
    ("v1", "PersistentVolumeClaim"): ("/api/v1", "persistentvolumeclaims"),
    ("apps/v1", "Deployment"): ("/apis/apps/v1", "deployments"),
    ("apps/v1", "StatefulSet"): ("/apis/apps/v1", "statefulsets"),
    ("apps/v1", "DaemonSet"): ("/apis/apps/v1", "daemonsets"),
    ("batch/v1", "Job"): ("/apis/batch/v1", "jobs"),
    ("batch/v1", "CronJob"): ("/apis/batch/v1", "cronjobs"),
    ("rbac.authorization.k8s.io/v1", "Role"): ("/apis/rbac.authorization.k8s.io/v1", "roles"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"):
        ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"),
    ("networking.k8s.io/v1", "NetworkPolicy"): ("/apis/networking.k8s.io/v1", "networkpolicies"),
    ("policy/v1", "PodDisruptionBudget"): ("/apis/policy/v1", "poddisruptionbudgets"),
}

CLUSTER_SCOPED_KINDS = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "StorageClass", "PriorityClass", "RuntimeClass", "IngressClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService", "CSIDriver",
    "CSINode", "VolumeAttachment", "CertificateSigningRequest", "FlowSchema",
    "PriorityLevelConfiguration",
})

# Kinds the lab reads but never applies, and the cluster-scoped Namespace.
_READ_KINDS: dict[str, tuple[str, str]] = {
    "Namespace": ("/api/v1", "namespaces"),
    "Event": ("/api/v1", "events"),
    "ReplicaSet": ("/apis/apps/v1", "replicasets"),
    "Node": ("/api/v1", "nodes"),
}
_BY_KIND: dict[str, tuple[str, str]] = {
    **{kind: where for (_, kind), where in reversed(list(NAMESPACED_KINDS.items()))},
    **_READ_KINDS,
}

# The pod-template annotation `kubectl rollout restart` sets (kubernetes/kubectl,
# pkg/polymorphichelpers/objectrestarter.go, defaultObjectRestarter: the annotation
# "kubectl.kubernetes.io/restartedAt" = time.Now().Format(time.RFC3339), for Deployments,
# DaemonSets and StatefulSets); a changed template makes the workload roll.
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
RESTARTABLE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})

# Workloads whose pods should carry the lab's labels too, so they can be found by owner.
_POD_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job"})


def describe(obj: dict) -> str:
    """`Kind/name`, the way kubectl names an object in messages."""
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind') or '<no kind>'}/{meta.get('name') or '<no name>'}"


def collection_path(obj: dict, namespace: str) -> str:
    """The URL path objects of this kind are created under in `namespace`."""
    prefix, plural = NAMESPACED_KINDS[(obj.get("apiVersion"), obj.get("kind"))]
    return f"{prefix}/namespaces/{namespace}/{plural}"


def kind_path(kind: str, namespace: str | None = None, name: str | None = None) -> str:
    """The URL path of `kind` (in `namespace`, all namespaces when None; one object by `name`)."""
    if kind not in _BY_KIND:
        raise KeyError(f"kind {kind} is not in the lab's kinds table")
    prefix, plural = _BY_KIND[kind]
    path = f"{prefix}/{plural}" if namespace is None or kind in ("Namespace", "Node") \
        else f"{prefix}/namespaces/{namespace}/{plural}"
    return f"{path}/{name}" if name else path


def known_kind(kind: str) -> bool:
    return kind in _BY_KIND


def restart_patch(stamp: str) -> dict:
    """The merge patch `kubectl rollout restart` sends: one annotation on the pod template."""
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}


def selector_matches(selector: str | None, obj: dict) -> bool:
    """Equality-based selector check (k=v, k==v, k!=v, k, !k) to back up the server's."""
    if not selector:
        return True
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for term in (t.strip() for t in re.split(r",(?![^()]*\))", selector)):  # not inside (a, b)
        if "!=" in term:
            key, value = term.split("!=", 1)
            ok = labels.get(key.strip()) != value.strip()
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            ok = labels.get(key.strip()) == value.strip()
        elif term.startswith("!"):
            ok = term[1:].strip() not in labels
        elif " in " in term or " notin " in term:
            ok = True  # set-based terms: trust the server
        else:
            ok = term in labels
        if not ok:
            return False
    return True


def check_object(obj: dict, namespace: str) -> str | None:
    """Return why the lab must not apply `obj` into `namespace`, or None when it may."""
    if not isinstance(obj, dict):
        return f"expected an object (a mapping), got {type(obj).__name__}"
    name = describe(obj)
    kind = obj.get("kind")
    meta = obj.get("metadata") or {}
    if kind in CLUSTER_SCOPED_KINDS:
        return (f"refusing to apply {name}: {kind} is cluster-scoped and the lab only "
                f"changes objects inside its namespace {namespace}")
    if (obj.get("apiVersion"), kind) not in NAMESPACED_KINDS:
        supported = ", ".join(sorted({k for _, k in NAMESPACED_KINDS}))
        return (f"refusing to apply {name} ({obj.get('apiVersion')}): kind not supported by "
                f"the lab; supported: {supported}")
    if not meta.get("name"):
        return f"refusing to apply a {kind} without metadata.name"
    other = meta.get("namespace")
    if other and other != namespace:
        return (f"refusing to apply {name}: it names namespace {other}, but the lab only "
                f"writes to {namespace}")
    if not ownership.is_owned(meta.get("labels")):
        return (f"refusing to apply {name}: it lacks the label "
                f"{ownership.MANAGED_BY_KEY}={ownership.MANAGED_BY} (pass labels= to add it)")
    return None


def with_labels(obj: dict, namespace: str, labels: dict[str, str] | None) -> dict:
    """A copy of `obj` placed in `namespace`, with `labels` added (the lab's labels win).

    Workloads get the labels on their pod template too; the selector is left alone,
    so adding labels never changes which pods a workload owns.
    """
    import copy

    out = copy.deepcopy(obj)
    meta = out.setdefault("metadata", {})
    meta["namespace"] = meta.get("namespace") or namespace
    if labels:
        meta["labels"] = {**(meta.get("labels") or {}), **labels}
        template = (out.get("spec") or {}).get("template")
        if out.get("kind") in _POD_TEMPLATE_KINDS and isinstance(template, dict):
            tmeta = template.setdefault("metadata", {})
            tmeta["labels"] = {**(tmeta.get("labels") or {}), **labels}
    return out
