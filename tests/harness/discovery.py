"""What real `kubectl` needs from an API server beyond CRUD: discovery and server-side tables.

Discovery is the legacy (unaggregated) form: `/api` (APIVersions), `/apis` (APIGroupList) and
one APIResourceList per group version; kubectl falls back to it when `/api` answers plain
`application/json` (client-go discovery/aggregated_discovery.go: the response Content-Type
decides). Tables are `meta.k8s.io/v1` Table objects, which kubectl asks for with
`Accept: application/json;as=Table;v=v1;g=meta.k8s.io` and prints as it gets them; the
columns follow kubernetes pkg/printers/internalversion/printers.go (pods: NAME READY STATUS
RESTARTS AGE; events: LAST SEEN TYPE REASON OBJECT MESSAGE; deployments: NAME READY
UP-TO-DATE AVAILABLE AGE; anything else: NAME AGE, like the default table convertor).
"""

from datetime import datetime, timezone

from .resources import RESOURCES

SHORT_NAMES = {"pods": ["po"], "deployments": ["deploy"], "events": ["ev"], "configmaps": ["cm"],
               "services": ["svc"], "namespaces": ["ns"], "replicasets": ["rs"],
               "serviceaccounts": ["sa"], "nodes": ["no"], "daemonsets": ["ds"],
               "statefulsets": ["sts"], "cronjobs": ["cj"], "persistentvolumeclaims": ["pvc"],
               "networkpolicies": ["netpol"], "poddisruptionbudgets": ["pdb"]}
_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
_SUBRESOURCES = {"pods": [("log", ["get"]), ("status", ["get", "patch", "update"])],
                 "deployments": [("status", ["get", "patch", "update"])],
                 "namespaces": [("status", ["get", "patch", "update"])],
                 "serviceaccounts": [("token", ["create"])]}


def group_versions() -> list[str]:
    return list(dict.fromkeys(api_version for api_version, _, _ in RESOURCES.values()))


def api_versions(server: str) -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}]}


def api_group_list() -> dict:
    groups = []
    for group_version in group_versions():
        if "/" not in group_version:
            continue
        name, version = group_version.split("/")
        entry = {"groupVersion": group_version, "version": version}
        groups.append({"name": name, "versions": [entry], "preferredVersion": entry})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def resource_list(group_version: str) -> dict | None:
    """The APIResourceList of one group version, None when the emulator serves none of it."""
    resources = []
    for plural, (api_version, kind, namespaced) in RESOURCES.items():
        if api_version != group_version:
            continue
        resources.append({"name": plural, "singularName": kind.lower(), "namespaced": namespaced,
                          "kind": kind, "verbs": _VERBS, "shortNames": SHORT_NAMES.get(plural, [])})
        for sub, verbs in _SUBRESOURCES.get(plural, []):
            resources.append({"name": f"{plural}/{sub}", "singularName": "", "namespaced": namespaced,
                              "kind": kind if sub == "status" else ("TokenRequest" if sub == "token"
                                                                    else "Pod"),
                              "verbs": verbs})
    if not resources:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": resources}


def wants_table(accept: str | None) -> bool:
    return "as=Table" in (accept or "")


def table(plural: str, objects: list[dict], resource_version: str, include: str | None,
          now: datetime | None = None) -> dict:
    """The objects as a meta.k8s.io/v1 Table (`include`: the includeObject query parameter)."""
    now = now or datetime.now(timezone.utc)
    columns, cells = _COLUMNS.get(plural, _DEFAULT)
    rows = []
    for obj in objects:
        row = {"cells": cells(obj, now)}
        if include != "None":
            row["object"] = obj if include == "Object" else {
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": obj.get("metadata") or {}}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": [{"name": name, "type": kind, "format": fmt, "description": "",
                                   "priority": 0} for name, kind, fmt in columns],
            "rows": rows}


def _age(timestamp: str | None, now: datetime) -> str:
    """kubectl's short duration (k8s.io/apimachinery/pkg/util/duration.HumanDuration, coarsely)."""
    if not timestamp:
        return "<unknown>"
    seconds = max(0, int((now - datetime.fromisoformat(timestamp.replace("Z", "+00:00"))).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m" + (f"{seconds % 60}s" if seconds < 600 and seconds % 60 else "")
    if seconds < 86400:
        return f"{seconds // 3600}h" + (f"{seconds % 3600 // 60}m" if seconds % 3600 >= 60 else "")
    return f"{seconds // 86400}d"


def _name_age(obj, now):
    meta = obj.get("metadata") or {}
    return [meta.get("name", ""), _age(meta.get("creationTimestamp"), now)]


def _pod_cells(pod, now):
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    total = len((pod.get("spec") or {}).get("containers") or []) or len(statuses)
    ready = sum(1 for s in statuses if s.get("ready"))
    reason = status.get("reason") or status.get("phase") or "Pending"
    restarts, last = 0, None
    for container in statuses:  # printers.go printPod: the last container with a reason wins
        restarts += container.get("restartCount") or 0
        state = container.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
        elif state.get("terminated"):
            code = state["terminated"].get("exitCode", 0)
            reason = f"ExitCode:{code}"
        finished = ((container.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        last = max(last or finished, finished) if finished else last
    if meta.get("deletionTimestamp"):
        reason = "Terminating"
    shown = f"{restarts} ({_age(last, now)} ago)" if restarts and last else str(restarts)
    return [meta.get("name", ""), f"{ready}/{total}", reason, shown,
            _age(meta.get("creationTimestamp"), now)]


def _event_cells(event, now):
    involved = event.get("involvedObject") or {}
    seen = event.get("lastTimestamp") or event.get("eventTime") or \
        (event.get("metadata") or {}).get("creationTimestamp")
    return [_age(seen, now), event.get("type", ""), event.get("reason", ""),
            f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
            event.get("message", "")]


def _deployment_cells(deployment, now):
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    meta = deployment.get("metadata") or {}
    return [meta.get("name", ""), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0),
            _age(meta.get("creationTimestamp"), now)]


_NAME = ("Name", "string", "name")
_DEFAULT = ([_NAME, ("Age", "string", "")], _name_age)
_COLUMNS = {
    "pods": ([_NAME, ("Ready", "string", ""), ("Status", "string", ""), ("Restarts", "string", ""),
              ("Age", "string", "")], _pod_cells),
    "events": ([("Last Seen", "string", ""), ("Type", "string", ""), ("Reason", "string", ""),
                ("Object", "string", ""), ("Message", "string", "")], _event_cells),
    "deployments": ([_NAME, ("Ready", "string", ""), ("Up-to-date", "integer", ""),
                     ("Available", "integer", ""), ("Age", "string", "")], _deployment_cells),
}
