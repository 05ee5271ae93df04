"""A small Kubernetes API server over real HTTP, for the real `kubernetes` client in tests.

Why not kmock 0.8: its watch always replays every object as ADDED and ignores
resourceVersion (so resuming a watch and 410 Gone cannot be tested), selectors
are ignored, /api/v1/namespaces answers 500, PUT and /version are 404 and no
uid/resourceVersion/creationTimestamp are set. Those are exactly the parts the
lab's API layer depends on, so this emulator implements them (plus pod logs,
fault injection and a request log) in plain http.server.
"""

import json
import select
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import discovery
from .rbac import Rbac
from .resources import GENERATION_KINDS, RESOURCES, parse_path
from .store import ApiError, Store, field_selector_matches, label_selector_matches, merge_patch

KUBELET_AGENT = "kubelet/"  # the test kubelet's User-Agent starts so, as a real kubelet's does
SERVER_VERSION = {"major": "1", "minor": "33", "gitVersion": "v1.33.1",
                  "gitCommit": "0000000000000000000000000000000000000000",
                  "gitTreeState": "clean", "buildDate": "2025-05-15T00:00:00Z",
                  "goVersion": "go1.24.2", "compiler": "gc", "platform": "linux/amd64"}


@dataclass
class Request:
    method: str
    path: str
    query: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def watch(self) -> bool:
        return self.query.get("watch") in ("true", "1")


class _Watch:
    """One open watch stream; the emulator can end it with 410 or cut its connection."""

    def __init__(self):
        self.fate: str | None = None  # None, "gone" or "drop"


class _Pause:
    """pause()/resume() state: requests wait on `answering`; a timer may end the pause."""

    def __init__(self):
        self.answering = threading.Event()
        self.answering.set()
        self.kubelet_too = False
        self.held = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    @property
    def on(self) -> bool:
        return not self.answering.is_set()

    def start(self, seconds: float | None, kubelet_too: bool, resume) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self.kubelet_too = kubelet_too
            self.answering.clear()
            self._timer = None if seconds is None else threading.Timer(seconds, resume)
            if self._timer is not None:
                self._timer.daemon = True
                self._timer.start()

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self.answering.set()

    def hold(self, user_agent: str, closing) -> None:
        """Wait while paused (the test kubelet passes unless kubelet_too) or the server closes."""
        if not self.on or (user_agent.startswith(KUBELET_AGENT) and not self.kubelet_too):
            return
        with self._lock:
            self.held += 1
        try:
            while not self.answering.wait(0.05) and not closing():
                pass
        finally:
            with self._lock:
                self.held -= 1


class Emulator:
    """The API state and the knobs tests turn. Serve it with `serve()`."""

    def __init__(self, token: str | None = None, version: dict | None = SERVER_VERSION):
        self.store = Store()
        self.token = token
        self.version = version  # None: no /version endpoint (like kmock)
        self.requests: list[Request] = []
        self._logs: dict[tuple[str, str, str], dict[str, str | None]] = {}
        self._watches: set[_Watch] = set()
        self._lock = threading.Lock()
        self.closing = False
        self.rbac = Rbac()  # ServiceAccount tokens from TokenRequest are held to their Roles
        self._pause = _Pause()
        # Seconds between BOOKMARK events on a quiet watch that asked for them
        # (allowWatchBookmarks); None: none, as the API server may send none at all.
        self.bookmark_seconds: float | None = None

    # ------------------------------------------------------------- test knobs

    def count(self, method: str | None = None, path: str | None = None,
              watch: bool | None = None) -> int:
        """How many requests matched (path: a substring of the URL path)."""
        with self._lock:
            return sum(1 for r in self.requests
                       if (method is None or r.method == method)
                       and (path is None or path in r.path)
                       and (watch is None or r.watch == watch))

    def open_watches(self) -> int:
        with self._lock:
            return len(self._watches)

    def expire_watches(self) -> None:
        """Compact history and end open watches with 410 Gone, as etcd compaction does."""
        self.store.compact()
        self._doom("gone")

    def drop_watches(self) -> None:
        """Cut the connection of every open watch mid-stream (no final chunk)."""
        self._doom("drop")

    def _doom(self, fate: str) -> None:
        with self._lock:
            for watch in self._watches:
                watch.fate = fate
        with self.store.changed:
            self.store.changed.notify_all()

    def pause(self, seconds: float | None = None, *, kubelet_too: bool = False) -> None:
        """Stop answering, for `seconds` (None: until resume()): open watches send nothing,
        new requests are held without an answer, every connection stays open; afterwards
        held requests are answered and watches send what changed meanwhile, in order.

        The test kubelet's writes still land (a stalled connection: the cluster goes on),
        unless `kubelet_too` (a stopped API server; its writes time out after 10 s)."""
        self._pause.start(seconds, kubelet_too, self.resume)

    def resume(self) -> None:
        self._pause.stop()
        with self.store.changed:
            self.store.changed.notify_all()

    @property
    def paused(self) -> bool:
        return self._pause.on

    def held_requests(self) -> int:
        """Requests waiting for an answer because of pause()."""
        return self._pause.held

    def set_log(self, namespace: str, pod: str, container: str, current: str | None,
                previous: str | None) -> None:
        """What `kubectl logs` (current) and `--previous` show; None: no such container run."""
        with self._lock:
            self._logs[(namespace, pod, container)] = {"current": current, "previous": previous}

    def refuse_logs(self, namespace: str, pod: str, container: str, message: str) -> None:
        """Answer that container's log requests with 400 `message`, as kubelet's
        validateContainerLogStatus does (kubernetes pkg/kubelet/kubelet_pods.go), e.g.
        `container "app" in pod "p" is terminated` when no container ID is left to read."""
        with self._lock:
            self._logs[(namespace, pod, container)] = {"refused": message}

    def logs(self, namespace: str, pod: str, container: str) -> dict:
        with self._lock:
            return dict(self._logs.get((namespace, pod, container)) or
                        {"current": None, "previous": None})

    # ---------------------------------------------------------------- serving

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> "Server":
        return Server(self, host, port)


class Server:
    """The emulator on a real socket, served from a background thread."""

    def __init__(self, emulator: Emulator, host: str, port: int):
        self.emulator = emulator
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.emulator = emulator
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                         kwargs={"poll_interval": 0.05})
        self._thread.start()

    def close(self) -> None:
        self.emulator.closing = True
        with self.emulator.store.changed:
            self.emulator.store.changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    @property
    def emu(self) -> Emulator:
        return self.server.emulator

    def do_GET(self):  # noqa: N802
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    # ------------------------------------------------------------------ plumbing

    def _dispatch(self, method: str) -> None:
        if self.emu.closing:  # a stopped server: drop kept-alive connections too
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        request = Request(method, url.path, query)
        with self.emu._lock:
            self.emu.requests.append(request)
        self.emu._pause.hold(self.headers.get("User-Agent", ""), lambda: self.emu.closing)
        if self.emu.closing:
            self.close_connection = True
            return
        body = self._read_body()
        try:
            header = self.headers.get("Authorization")
            identity = self.emu.rbac.identity(header)
            if identity is not None:
                self.emu.rbac.authorize(self.emu.store, identity, method, url.path, query)
            elif self.emu.token and header != f"Bearer {self.emu.token}":
                raise ApiError(401, "Unauthorized", "Unauthorized")
            if self._serve_token_request(method, url.path, body):
                return
            self._route(request, body)
        except ApiError as exc:
            self._send_json(exc.code, exc.status())

    def _serve_token_request(self, method: str, path: str, body) -> bool:
        """POST .../serviceaccounts/<name>/token (the TokenRequest API)."""
        parts = [p for p in path.split("/") if p]
        if not (method == "POST" and len(parts) == 7 and parts[:3] == ["api", "v1", "namespaces"]
                and parts[4] == "serviceaccounts" and parts[6] == "token"):
            return False
        namespace, name = parts[3], parts[5]
        self.emu.store.get("serviceaccounts", namespace, name)  # 404 when there is none
        seconds = int(((body or {}).get("spec") or {}).get("expirationSeconds") or 3600)
        if seconds < 600:
            raise ApiError(400, "BadRequest", "spec.expirationSeconds: Invalid value: "
                           f"{seconds}: may not specify a duration less than 10 minutes")
        token = self.emu.rbac.issue(namespace, name, seconds)
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))
        self._send_json(201, {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                              "metadata": {"name": name, "namespace": namespace},
                              "spec": {"expirationSeconds": seconds},
                              "status": {"token": token, "expirationTimestamp": expires}})
        return True

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _send(self, code: int, content_type: str, data: bytes) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True   # the client gave up on a request held by pause()

    def _send_json(self, code: int, obj) -> None:
        self._send(code, "application/json", json.dumps(obj).encode())

    # -------------------------------------------------------------------- routes

    def _route(self, request: Request, body) -> None:
        if request.path.rstrip("/") == "/version" and self.emu.version:
            return self._send_json(200, self.emu.version)
        if request.method == "GET" and self._serve_discovery(request.path.rstrip("/")):
            return None
        parsed = parse_path(request.path)
        if parsed is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        plural, namespace, name, sub = parsed
        namespaced = RESOURCES[plural][2]
        if namespaced and not namespace and name is not None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        method = request.method
        if sub == "log" and plural == "pods" and method == "GET":
            return self._serve_log(namespace, name, request.query)
        if sub not in (None, "status"):
            raise ApiError(404, "NotFound", f"{plural}/{sub} is not served by the emulator")
        if name is None:
            if method == "GET" and request.watch:
                return self._serve_watch(plural, namespace if namespaced else "",
                                         namespaced and not namespace, request.query)
            if method == "GET":
                return self._serve_list(plural, namespace, namespaced, request.query)
            if method == "POST":
                return self._serve_create(plural, namespace, body)
        elif method == "GET":
            obj = self.emu.store.get(plural, namespace, name)
            if self._table_wanted(sub):
                obj = discovery.table(plural, [obj], obj["metadata"].get("resourceVersion", ""),
                                      request.query.get("includeObject"))
            return self._send_json(200, obj)
        elif method == "PUT":
            return self._serve_update(plural, namespace, name, sub, body)
        elif method == "PATCH":
            return self._serve_patch(plural, namespace, name, sub, body)
        elif method == "DELETE":
            return self._serve_delete(plural, namespace, name)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed on {request.path}")

    def _serve_discovery(self, path: str) -> bool:
        """/api, /apis and each group version's resource list, as kubectl reads them."""
        host = self.headers.get("Host", "")
        if path == "/api":
            self._send_json(200, discovery.api_versions(host))
        elif path == "/apis":
            self._send_json(200, discovery.api_group_list())
        elif path == "/api/v1" or (path.startswith("/apis/") and path.count("/") == 3):
            found = discovery.resource_list(path[len("/api/"):] if path == "/api/v1"
                                            else path[len("/apis/"):])
            if found is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            self._send_json(200, found)
        else:
            return False
        return True

    def _table_wanted(self, sub) -> bool:
        return sub is None and discovery.wants_table(self.headers.get("Accept"))

    def _serve_list(self, plural, namespace, namespaced, query) -> None:
        items, version = self.emu.store.list(plural, namespace if namespace or not namespaced
                                             else None, query.get("labelSelector"),
                                             query.get("fieldSelector"))
        if self._table_wanted(None):
            return self._send_json(200, discovery.table(plural, items, str(version),
                                                        query.get("includeObject")))
        api_version, kind, _ = RESOURCES[plural]
        self._send_json(200, {"apiVersion": api_version, "kind": f"{kind}List",
                              "metadata": {"resourceVersion": str(version)}, "items": items})

    def _serve_create(self, plural, namespace, body) -> None:
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the request body is not a JSON object")
        api_version, kind, namespaced = RESOURCES[plural]
        if body.get("kind") != kind or body.get("apiVersion") != api_version:
            raise ApiError(400, "BadRequest", f"expected {api_version} {kind}, got "
                           f"{body.get('apiVersion')} {body.get('kind')}")
        meta = body.get("metadata") or {}
        if namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise ApiError(400, "BadRequest", "the namespace of the provided object does "
                               "not match the namespace sent on the request")
            if not self.emu.store.exists("namespaces", "", namespace):
                raise ApiError(404, "NotFound", f'namespaces "{namespace}" not found')
            ns = self.emu.store.get("namespaces", "", namespace)
            if (ns.get("status") or {}).get("phase") == "Terminating":
                raise ApiError(403, "Forbidden", f"{plural} is forbidden: unable to create new "
                               f"content in namespace {namespace} because it is being terminated")
        if plural == "namespaces":
            body = merge_patch(body, {"status": {"phase": "Active"}})
        stored = self.emu.store.create(plural, namespace, body, plural in GENERATION_KINDS)
        self._send_json(201, stored)

    def _serve_update(self, plural, namespace, name, sub, body) -> None:
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the request body is not a JSON object")
        expect = (body.get("metadata") or {}).get("resourceVersion")
        stored = self.emu.store.update(plural, namespace, name, lambda old: body,
                                       subresource=sub, expect_version=expect)
        self._send_json(200, stored)

    def _serve_patch(self, plural, namespace, name, sub, body) -> None:
        content_type = self.headers.get("Content-Type", "")
        if "json-patch" in content_type:
            raise ApiError(415, "UnsupportedMediaType", "JSON patch is not emulated")
        stored = self.emu.store.update(plural, namespace, name,
                                       lambda old: merge_patch(old, body), subresource=sub)
        self._send_json(200, stored)

    def _serve_delete(self, plural, namespace, name) -> None:
        store = self.emu.store
        if plural != "namespaces":
            return self._send_json(200, store.delete(plural, namespace, name))
        terminating = store.update(plural, "", name, lambda old: merge_patch(old, {
            "metadata": {"deletionTimestamp": _now()}, "status": {"phase": "Terminating"}}),
            subresource=None)
        store.update(plural, "", name, lambda old: merge_patch(
            old, {"status": {"phase": "Terminating"}}), subresource="status")
        store.delete_namespace_contents(name)
        store.delete(plural, "", name)
        terminating["status"] = {"phase": "Terminating"}
        self._send_json(200, terminating)

    def _serve_log(self, namespace, name, query) -> None:
        pod = self.emu.store.get("pods", namespace, name)
        containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
        container = query.get("container")
        if not container:
            if len(containers) != 1:
                raise ApiError(400, "BadRequest", f"a container name must be specified for pod "
                               f"{name}, choose one of: [{' '.join(containers)}]")
            container = containers[0]
        inits = [c["name"] for c in pod.get("spec", {}).get("initContainers") or []]
        if container not in containers + inits:  # init containers have logs too
            raise ApiError(400, "BadRequest", f"container {container} is not valid for pod {name}")
        logs = self.emu.logs(namespace, name, container)
        if "refused" in logs:
            raise ApiError(400, "BadRequest", logs["refused"])
        previous = query.get("previous") in ("true", "1")
        text = logs["previous" if previous else "current"]
        if text is None and previous:
            raise ApiError(400, "BadRequest", f'previous terminated container "{container}" '
                           f'in pod "{name}" not found')
        if text is None:
            raise ApiError(400, "BadRequest", f'container "{container}" in pod "{name}" is '
                           "waiting to start: ContainerCreating")
        if query.get("tailLines"):
            lines = text.splitlines(keepends=True)
            text = "".join(lines[-int(query["tailLines"]):]) if int(query["tailLines"]) else ""
        self._send(200, "text/plain", text.encode())

    # --------------------------------------------------------------------- watch

    def _serve_watch(self, plural, namespace, all_namespaces, query) -> None:
        store, emu = self.emu.store, self.emu
        labels, fields = query.get("labelSelector"), query.get("fieldSelector")
        deadline = time.monotonic() + float(query.get("timeoutSeconds") or 1800)
        ns_filter = None if all_namespaces else namespace

        def wanted(obj):
            return ((ns_filter is None or obj["metadata"].get("namespace", "") == ns_filter)
                    and label_selector_matches(labels, obj["metadata"].get("labels"))
                    and field_selector_matches(fields, obj))

        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        watch = _Watch()
        self._watch_table = (plural, query.get("includeObject")) if self._table_wanted(None) else None
        with emu._lock:
            emu._watches.add(watch)
        try:
            since = query.get("resourceVersion") or ""
            if since in ("", "0"):
                items, version = store.list(plural, ns_filter, labels, fields)
                self._write_events([("ADDED", o) for o in items])
            else:
                version = int(since)
            bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
            quiet_since = time.monotonic()
            while not emu.closing and (time.monotonic() < deadline or emu.paused):
                if emu.paused:  # a stalled server: nothing is sent, the connection stays
                    emu._pause.answering.wait(0.05)
                    continue
                if watch.fate == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if watch.fate == "gone":
                    self._write_events([("ERROR", ApiError(
                        410, "Expired", f"too old resource version: {version} "
                        f"({store.compacted})").status())])
                    break
                with store.changed:
                    try:
                        changes = store.history_since(version, plural)
                    except ApiError as exc:
                        self._write_events([("ERROR", exc.status())])
                        break
                    if not changes:
                        store.changed.wait(max(0.0, min(0.2, deadline - time.monotonic())))
                        if self._client_gone():
                            return
                        if bookmarks and emu.bookmark_seconds is not None and \
                                time.monotonic() - quiet_since >= emu.bookmark_seconds:
                            self._write_events([("BOOKMARK", _bookmark(plural, version))])
                            quiet_since = time.monotonic()
                        continue
                version = changes[-1][0]
                quiet_since = time.monotonic()
                self._write_events([(t, o) for _, t, o in changes if wanted(o)])
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            with emu._lock:
                emu._watches.discard(watch)

    def _client_gone(self) -> bool:
        """True when the client closed its end (a real API server notices this too)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _write_events(self, events) -> None:
        for kind, obj in events:
            if getattr(self, "_watch_table", None) and kind != "ERROR":
                plural, include = self._watch_table
                obj = discovery.table(plural, [obj], obj["metadata"].get("resourceVersion", ""), include)
            line = json.dumps({"type": kind, "object": obj}).encode() + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        self.wfile.flush()


def _bookmark(plural: str, version: int) -> dict:
    """A BOOKMARK's object: the watched kind with only metadata.resourceVersion set
    (kubernetes/website content/en/docs/reference/using-api/api-concepts.md, "Watch bookmarks")."""
    api_version, kind, _ = RESOURCES[plural]
    return {"apiVersion": api_version, "kind": kind,
            "metadata": {"resourceVersion": str(version)}}


def _now() -> str:
    from .store import now_rfc3339

    return now_rfc3339()
