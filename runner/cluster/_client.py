"""The Cluster object: the lab's operations on one kubeconfig context, on plain dicts."""

from __future__ import annotations

import json

from runner import ownership
from runner.errors import ClusterError, NotOwnedError

from . import _connect, _kinds, _watch
from ._errors import ApiStatusError, Forbidden, NotFound, to_cluster_error

REQUEST_TIMEOUT = (5, 30)  # (connect, read) seconds for ordinary calls
_NO_LOG_YET = ("not found", "is waiting to start", "is terminated")


class Cluster:
    """One context's API server. Every object goes in and out as a camelCase dict."""

    def __init__(self, api_client, context: str):
        self._api = api_client
        self.context = context
        self.server = api_client.configuration.host

    @property
    def where(self) -> str:
        return f"{self.server} (context {self.context})"

    def close(self) -> None:
        self._api.close()

    # ------------------------------------------------------------------ transport

    def _request(self, method: str, path: str, *, doing: str, query: dict | None = None,
                body=None, content_type: str | None = None, raw: bool = False,
                timeout=REQUEST_TIMEOUT):
        """One API call. Returns parsed JSON (text when `raw`); errors become ClusterError."""
        from kubernetes.client.exceptions import ApiException

        headers = {"Accept": "*/*" if raw else "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        params = [(k, _query_value(v)) for k, v in (query or {}).items() if v is not None]
        try:
            call = self._api.param_serialize(method, path, query_params=params or None,
                                             header_params=headers, body=body,
                                             auth_settings=["BearerToken"])
            resp = self._api.call_api(*call[:4], _request_timeout=timeout)
            data = resp.read()
            if not 200 <= resp.status <= 299:
                raise ApiException.from_response(http_resp=resp, body=None, data=None)
        except ClusterError:
            raise
        except Exception as exc:  # ApiException or any urllib3/socket failure
            raise to_cluster_error(exc, self.where, doing, self.context) from exc
        text = data.decode("utf-8", "replace") if data else ""
        return text if raw else (json.loads(text) if text else {})

    def open_stream(self, path: str, query: dict, timeout):
        """A streaming GET (watch); the caller iterates and closes the urllib3 response."""
        from kubernetes.client.exceptions import ApiException

        params = [(k, _query_value(v)) for k, v in query.items() if v is not None]
        call = self._api.param_serialize("GET", path, query_params=params,
                                         header_params={"Accept": "application/json"},
                                         auth_settings=["BearerToken"])
        resp = self._api.call_api(*call[:4], _request_timeout=timeout)
        if not 200 <= resp.status <= 299:
            resp.read()
            raise ApiException.from_response(http_resp=resp, body=None, data=None)
        return resp.response

    # ----------------------------------------------------------------- reachability

    def ping(self) -> str:
        """The server's version (e.g. 'v1.33.1'); ClusterError when it cannot be reached."""
        try:
            version = self._request("GET", "/version", doing="reading the server version",
                                   timeout=(3, 10))
            return version.get("gitVersion") or "unknown"
        except NotFound:  # some API emulators and proxies have no /version
            pass
        self._request("GET", "/api/v1/namespaces", query={"limit": 1},
                     doing="listing namespaces", timeout=(3, 10))
        return "unknown"

    def serves(self, group_version: str) -> bool:
        """Whether the server serves an API group version (discovery: GET /apis/<group>/<v>),
        e.g. metrics.k8s.io/v1beta1, which `kubectl top` needs (metrics-server)."""
        try:
            self._request("GET", f"/apis/{group_version}", doing=f"discovering {group_version}",
                          timeout=(3, 10))
        except ClusterError:
            return False
        return True

    def may(self, verb: str, resource: str, namespace: str, subresource: str = "") -> bool | None:
        """What `kubectl auth can-i` asks: a SelfSubjectAccessReview (authorization.k8s.io/v1).
        None when the server could not say."""
        review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                  "spec": {"resourceAttributes": {"namespace": namespace, "verb": verb,
                                                  "resource": resource,
                                                  "subresource": subresource}}}
        try:
            answer = self._request("POST", "/apis/authorization.k8s.io/v1/"
                                   "selfsubjectaccessreviews", body=review,
                                   doing=f"asking whether you may {verb} {resource}")
        except ClusterError:
            return None
        allowed = (answer.get("status") or {}).get("allowed")
        return allowed if isinstance(allowed, bool) else None

    # -------------------------------------------------------------------- namespaces

    def get_namespace(self, name: str) -> dict | None:
        return self._get_or_none(f"/api/v1/namespaces/{name}", f"reading namespace {name}")

    def ensure_namespace(self, name: str, labels: dict[str, str]) -> dict:
        """Create `name` labelled as the lab's; reuse it if the lab owns it, else NotOwnedError."""
        if not ownership.is_owned(labels):
            raise ClusterError(f"refusing to create namespace {name} without the label "
                               f"{ownership.MANAGED_BY_KEY}={ownership.MANAGED_BY}")
        body = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": dict(labels)}}
        try:
            return self._request("POST", "/api/v1/namespaces", body=body,
                                doing=f"creating namespace {name}")
        except ApiStatusError as exc:
            if isinstance(exc, Forbidden):
                # A workshop participant may not create namespaces, but the instructor's
                # `crashlab workshop prepare` made theirs and lets them read it: reuse it.
                existing = self._readable_namespace(name)
                if existing is None:
                    raise
                return self._reuse_namespace(name, existing)
            if exc.status != 409:
                raise
        existing = self.get_namespace(name) or {}
        return self._reuse_namespace(name, existing)

    def _readable_namespace(self, name: str) -> dict | None:
        try:
            return self.get_namespace(name)
        except ApiStatusError:
            return None

    def _reuse_namespace(self, name: str, existing: dict) -> dict:
        meta = existing.get("metadata") or {}
        if not ownership.is_owned(meta.get("labels")):
            raise NotOwnedError(f"namespace {name} already exists and was not created by "
                                f"crashlab (no {ownership.OWNED_SELECTOR} label): delete or "
                                "rename it, or use another participant name")
        if meta.get("deletionTimestamp"):
            raise ClusterError(f"namespace {name} is still being deleted: wait a few seconds "
                               "and try again")
        return existing

    def list_owned_namespaces(self) -> list[dict]:
        """The namespaces carrying app.kubernetes.io/managed-by=crashlab."""
        items = self._list("/api/v1/namespaces", "listing namespaces",
                           label_selector=ownership.OWNED_SELECTOR)
        return [ns for ns in items if ownership.is_owned(ns["metadata"].get("labels"))]

    def delete_namespace(self, name: str) -> dict | None:
        """Delete `name` if the lab owns it (NotOwnedError otherwise); None if already gone."""
        existing = self.get_namespace(name)
        if existing is None:
            return None
        if not ownership.is_owned((existing.get("metadata") or {}).get("labels")):
            raise NotOwnedError(f"refusing to delete namespace {name}: it does not carry "
                                f"{ownership.OWNED_SELECTOR}, so crashlab did not create it")
        return self._delete_or_none(f"/api/v1/namespaces/{name}", f"deleting namespace {name}")

    # ------------------------------------------------------------------------ apply

    def apply(self, objects: list[dict], namespace: str,
              labels: dict[str, str] | None = None) -> list[dict]:
        """Create or replace each object in `namespace`; returns the stored objects.

        All objects are checked before any is sent: an object naming another
        namespace, a cluster-scoped or unsupported kind, or one without the lab's
        managed-by label (after adding `labels`) refuses the whole batch.
        """
        prepared = []
        for obj in objects:
            if not isinstance(obj, dict):
                raise ClusterError(f"refusing to apply {obj!r}: not a Kubernetes object")
            ready = _kinds.with_labels(obj, namespace, labels)
            problem = _kinds.check_object(ready, namespace)
            if problem:
                raise ClusterError(problem)
            prepared.append(ready)
        return [self._apply_one(obj, namespace) for obj in prepared]

    def _apply_one(self, obj: dict, namespace: str) -> dict:
        collection = _kinds.collection_path(obj, namespace)
        name = obj["metadata"]["name"]
        what = _kinds.describe(obj)
        try:
            return self._request("POST", collection, body=obj,
                                doing=f"creating {what} in {namespace}")
        except ApiStatusError as exc:
            if exc.status != 409:
                raise
        # Replace rather than merge-patch: a field the new manifest drops must go away.
        for _ in range(3):
            current = self._request("GET", f"{collection}/{name}", doing=f"reading {what}")
            body = _replacement(obj, current)
            try:
                return self._request("PUT", f"{collection}/{name}", body=body,
                                    doing=f"updating {what} in {namespace}")
            except ApiStatusError as exc:
                if exc.status != 409:  # 409 here: changed since we read it; read again
                    raise
        raise ClusterError(f"{what} in {namespace} keeps changing while the lab updates it: "
                           "try again")

    # ------------------------------------------------------------------------ reads

    def list_pods(self, namespace: str | None = None, label_selector: str | None = None,
                  timeout=REQUEST_TIMEOUT) -> list[dict]:
        """`timeout`: (connect, read) seconds; a short one tells a stalled API from a slow one."""
        path = f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"
        items = self._list(path, f"listing pods in {namespace or 'all namespaces'}",
                           label_selector=label_selector, timeout=timeout)
        return [p for p in items if _kinds.selector_matches(label_selector, p)]

    def get_pod(self, namespace: str, name: str) -> dict | None:
        return self._get_or_none(f"/api/v1/namespaces/{namespace}/pods/{name}",
                                 f"reading pod {namespace}/{name}")

    def get_deployment(self, namespace: str, name: str) -> dict | None:
        return self._get_or_none(f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
                                 f"reading deployment {namespace}/{name}")

    def list_events(self, namespace: str | None = None) -> list[dict]:
        path = f"/api/v1/namespaces/{namespace}/events" if namespace else "/api/v1/events"
        return _by_time(self._list(path, f"listing events in {namespace or 'all namespaces'}"))

    def list_pod_events(self, namespace: str, pod_name: str) -> list[dict]:
        """Events about one pod, oldest first (filtered here too: not every server filters)."""
        items = self._list(f"/api/v1/namespaces/{namespace}/events",
                           f"listing events of pod {namespace}/{pod_name}",
                           field_selector=f"involvedObject.name={pod_name}")
        return _by_time([e for e in items
                         if (e.get("involvedObject") or {}).get("name") == pod_name
                         and (e.get("involvedObject") or {}).get("kind", "Pod") == "Pod"])

    def read_logs(self, namespace: str, pod: str, container: str | None = None,
                  previous: bool = False, tail_lines: int | None = None) -> str | None:
        """The container's log text; None when there is no previous (or no current) log."""
        try:
            return self._request("GET", f"/api/v1/namespaces/{namespace}/pods/{pod}/log",
                                query={"container": container, "previous": previous or None,
                                       "tailLines": tail_lines},
                                raw=True, doing=f"reading logs of pod {namespace}/{pod}")
        except ApiStatusError as exc:
            # kubelet's validateContainerLogStatus (kubernetes pkg/kubelet/kubelet_pods.go)
            # answers 400: `previous terminated container "c" in pod "p" not found`,
            # `container "c" in pod "p" is waiting to start: ...`, or `container "c" in
            # pod "p" is terminated` when no container ID is left to read from.
            if exc.status == 400 and any(part in exc.detail for part in _NO_LOG_YET):
                return None
            raise

    # ------------------------------------------------------------------ typed operations

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """One object of a kind in the kinds table; None when it does not exist."""
        where = f" in {namespace}" if namespace else ""
        return self._get_or_none(_kinds.kind_path(kind, namespace, name),
                                 f"reading {kind}/{name}{where}")

    def list(self, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict]:
        """Objects of a kind in `namespace` (all namespaces when None), selector checked here too."""
        where = namespace or ("the cluster" if kind == "Namespace" else "all namespaces")
        items = self._list(_kinds.kind_path(kind, namespace), f"listing {kind}s in {where}",
                           label_selector=label_selector)
        return [obj for obj in items if _kinds.selector_matches(label_selector, obj)]

    def delete(self, kind: str, name: str, namespace: str) -> dict | None:
        """Delete one namespaced object; None when it was already gone."""
        return self._delete_or_none(_kinds.kind_path(kind, namespace, name),
                                    f"deleting {kind}/{name} in {namespace}")

    def restart_workload(self, namespace: str, kind: str, name: str, stamp: str) -> dict:
        """What `kubectl rollout restart` does: stamp the pod template so the workload rolls."""
        if kind not in _kinds.RESTARTABLE_KINDS:
            raise ClusterError(f"cannot restart {kind}/{name}: only "
                               f"{', '.join(sorted(_kinds.RESTARTABLE_KINDS))} roll their pods")
        return self._request("PATCH", _kinds.kind_path(kind, namespace, name),
                             body=_kinds.restart_patch(stamp),
                             content_type="application/merge-patch+json",
                             doing=f"restarting {kind}/{name} in {namespace}")

    def delete_owned(self, namespace: str, kind: str) -> list[str]:
        """Delete the lab's own objects of one kind in `namespace` (for users who may not
        delete namespaces, like workshop participants); returns "Kind/name" of each."""
        try:
            items = self.list(kind, namespace, label_selector=ownership.OWNED_SELECTOR)
        except NotFound:
            return []
        deleted = []
        for item in items:
            meta = item.get("metadata") or {}
            if not ownership.is_owned(meta.get("labels")):
                continue  # belt and braces: the label selector already asked for the lab's only
            self.delete(kind, meta["name"], namespace)
            deleted.append(f"{kind}/{meta['name']}")
        return deleted

    def request_token(self, namespace: str, service_account: str, seconds: int) -> str | None:
        """A bound token for a ServiceAccount (the TokenRequest API); None if none came back."""
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "spec": {"expirationSeconds": int(seconds)}}
        answer = self._request(
            "POST", _kinds.kind_path("ServiceAccount", namespace, service_account) + "/token",
            body=body, doing=f"requesting a token for {service_account} in {namespace}")
        return (answer.get("status") or {}).get("token")

    def ca_data(self) -> tuple[str | None, bool]:
        """(base64 CA the context trusts or None, whether TLS verification is off)."""
        import base64
        from pathlib import Path

        configuration = self._api.configuration
        ca_file = getattr(configuration, "ssl_ca_cert", None)
        if ca_file and Path(ca_file).is_file():
            return base64.b64encode(Path(ca_file).read_bytes()).decode(), False
        return None, not getattr(configuration, "verify_ssl", True)

    # ------------------------------------------------------------------------ watch

    def watch_pods(self, namespace: str | None, label_selector: str | None = None,
                   timeout: float | None = None, stop=None):
        """Yield (event_type, pod) forever (or until `timeout` s / `stop` is set); see _watch."""
        return _watch.watch_pods(self, namespace, label_selector, timeout, stop)

    def watch_pods_many(self, namespaces: list[str], label_selector: str | None = None,
                        timeout: float | None = None):
        """A PodWatcher following several namespaces at once, one watch each."""
        return _watch.PodWatcher(self, namespaces, label_selector, timeout)

    def watch_all(self, kind: str, label_selector: str | None = None,
                  timeout: float | None = None, stop=None, synced=None):
        """Yield (event_type, object) for one kind in every namespace (one watch request):
        any kind of the kinds table ("Namespace", "Pod", "Deployment", "ConfigMap", ...).
        `synced()` is called once the objects that existed at the start have been yielded."""
        path = _kinds.kind_path(kind)
        where = f"{kind}s in {'the cluster' if kind == 'Namespace' else 'all namespaces'}"
        return _watch.watch_collection(self, path, where, label_selector, timeout, stop, synced)

    # ---------------------------------------------------------------------- helpers

    def _list(self, path: str, doing: str, label_selector: str | None = None,
              field_selector: str | None = None, timeout=REQUEST_TIMEOUT) -> list[dict]:
        data = self._request("GET", path, doing=doing, query={
            "labelSelector": label_selector, "fieldSelector": field_selector}, timeout=timeout)
        return list(data.get("items") or [])

    def _get_or_none(self, path: str, doing: str) -> dict | None:
        try:
            return self._request("GET", path, doing=doing)
        except NotFound:
            return None

    def _delete_or_none(self, path: str, doing: str) -> dict | None:
        try:
            return self._request("DELETE", path, doing=doing)
        except NotFound:
            return None


def connect(context: str | None = None, kubeconfig: str | None = None) -> Cluster:
    """A Cluster for `context` (default: the kubeconfig's current context).

    `kubeconfig` defaults to $KUBECONFIG, then ~/.kube/config. Nothing is sent
    to the server yet: call ping() to check it answers.
    """
    path = _connect.kubeconfig_path(kubeconfig)
    name = _connect.pick_context(path, context)
    return Cluster(_connect.new_api_client(path, name), name)


def ping(context: str | None = None, kubeconfig: str | None = None) -> str:
    """Connect and return the server version; ClusterError says what to do when it fails."""
    cluster = connect(context, kubeconfig)
    try:
        return cluster.ping()
    finally:
        cluster.close()


def _replacement(new: dict, current: dict) -> dict:
    """`new` as a PUT body: current resourceVersion, and fields the server assigned kept."""
    body = json.loads(json.dumps(new))
    body["metadata"]["resourceVersion"] = current["metadata"].get("resourceVersion")
    if new.get("kind") == "Service":  # the cluster IP is immutable and server-assigned
        spec, old = body.setdefault("spec", {}), current.get("spec") or {}
        for key in ("clusterIP", "clusterIPs"):
            if key in old and key not in spec:
                spec[key] = old[key]
    return body


def _query_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _by_time(events: list[dict]) -> list[dict]:
    def key(event):
        return (event.get("lastTimestamp") or event.get("eventTime")
                or (event.get("metadata") or {}).get("creationTimestamp") or "")
    return sorted(events, key=key)
