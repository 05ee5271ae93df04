"""Pod watches that recover on their own: list, watch from that point, relist on 410 Gone.

One long watch request per namespace; no polling. A server-side timeout or a
dropped connection re-opens the watch from the last resourceVersion seen; an
expired resourceVersion (410 Gone) relists and reports the differences as
ADDED / MODIFIED / DELETED, as client-go's informers do.
"""

import json
import math
import queue
import threading
import time

from runner.errors import ClusterError

from . import _kinds
from ._errors import to_cluster_error

WATCH_WINDOW = 300       # seconds a single watch request may stay open (server-side timeout)
MAX_FAILURES = 6         # consecutive transport failures before giving up
RETRY_DELAY_CAP = 4.0    # seconds


class _Gone(Exception):
    """The resourceVersion we watch from has been compacted away (HTTP 410)."""


class WatchStop:
    """A stop flag that also cuts the watch request in flight, so stopping is immediate."""

    def __init__(self):
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._response = None

    def set(self) -> None:
        self._event.set()
        with self._lock:
            if self._response is not None:
                _shutdown(self._response)

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)

    def attach(self, response) -> None:
        with self._lock:
            self._response = response
            if self._event.is_set():
                _shutdown(response)


def watch_pods(cluster, namespace, label_selector=None, timeout=None, stop=None,
               bookmarks=False):
    """Yield (event_type, pod) from the initial list, then every change; see module doc.

    `bookmarks`: also yield the server's ("BOOKMARK", object with only its resourceVersion):
    proof that the watch is current while nothing changes (Kubernetes API concepts, "Watch
    bookmarks")."""
    path = f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"
    where = f"pods in {namespace or 'all namespaces'}"
    return watch_collection(cluster, path, where, label_selector, timeout, stop,
                            bookmarks=bookmarks)


def watch_collection(cluster, path, where, label_selector=None, timeout=None, stop=None,
                     synced=None, bookmarks=False):
    """Yield (event_type, object) for the collection at `path` (any kind, one namespace or all
    of them), with the same list / resume / relist-on-410 rules as watch_pods. `synced()`, when
    given, is called once the first list has been yielded; `bookmarks` as in watch_pods."""
    stop = stop or WatchStop()
    deadline = None if timeout is None else time.monotonic() + timeout
    known: dict[str, dict] = {}
    version = yield from _relist(cluster, path, label_selector, known, where)
    if synced is not None:
        synced()
    failures = quiet_ends = 0
    while not stop.is_set():
        remaining = _remaining(deadline)
        if remaining is not None and remaining <= 0:
            return
        window = WATCH_WINDOW if remaining is None else max(1, min(WATCH_WINDOW,
                                                                    math.ceil(remaining)))
        read_timeout = window + 10 if remaining is None else min(window + 10, remaining + 0.05)
        response = None
        opened, delivered = time.monotonic(), False
        try:
            response = cluster.open_stream(path, {
                "watch": True, "resourceVersion": version, "labelSelector": label_selector,
                "allowWatchBookmarks": True, "timeoutSeconds": window,
            }, timeout=(5, read_timeout))
            stop.attach(response)
            for event in _events(response):
                kind, obj = event.get("type"), event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise _Gone()
                    raise ClusterError(f"watching {where} at {cluster.where} failed: "
                                       f"{obj.get('code')} {obj.get('message')}")
                version = (obj.get("metadata") or {}).get("resourceVersion") or version
                failures = quiet_ends = 0
                delivered = True
                if kind == "BOOKMARK":
                    if bookmarks:
                        yield kind, obj
                elif _kinds.selector_matches(label_selector, obj):
                    _remember(known, kind, obj)
                    yield kind, obj
                if stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                    return
            if not delivered and time.monotonic() - opened < 1:
                # a server that ends watches at once must not turn this into a busy loop
                quiet_ends += 1
                stop.wait(min(RETRY_DELAY_CAP, 0.05 * 2 ** quiet_ends))
        except _Gone:
            version = yield from _relist(cluster, path, label_selector, known, where)
        except ClusterError:
            raise
        except Exception as exc:  # noqa: BLE001 - transport failures and API statuses
            if getattr(exc, "status", None) == 410:
                version = yield from _relist(cluster, path, label_selector, known, where)
                continue
            if stop.is_set() or getattr(exc, "status", None) is not None:
                if stop.is_set():
                    return
                raise to_cluster_error(exc, cluster.where, f"watching {where}",
                                       cluster.context) from exc
            if _remaining(deadline) is not None and _remaining(deadline) <= 0:
                return
            failures += 1
            if failures > MAX_FAILURES:
                raise to_cluster_error(exc, cluster.where, f"watching {where}",
                                       cluster.context) from exc
            stop.wait(min(RETRY_DELAY_CAP, 0.05 * 2 ** failures))
        finally:
            if response is not None:
                response.close()


def _relist(cluster, path, label_selector, known, where):
    """List, yield what changed against `known`, return the list's resourceVersion."""
    data = cluster._request("GET", path, query={"labelSelector": label_selector},
                           doing=f"listing {where}")
    current = {_key(p): p for p in data.get("items") or [] if _kinds.selector_matches(label_selector, p)}
    for key in [k for k in known if k not in current]:
        yield "DELETED", known.pop(key)
    for key, pod in current.items():
        before = known.get(key)
        if before is None:
            known[key] = pod
            yield "ADDED", pod
        elif _version(before) != _version(pod):
            known[key] = pod
            yield "MODIFIED", pod
    return (data.get("metadata") or {}).get("resourceVersion") or ""


def _events(response):
    """Decode a watch stream: one JSON object per line, delivered as soon as it arrives."""
    chunks = (response.stream(65536) if response.chunked
              else iter(lambda: response.read1(65536), b""))
    pending = b""
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)
    if pending.strip():
        yield json.loads(pending)


def _remember(known, kind, pod):
    if kind == "DELETED":
        known.pop(_key(pod), None)
    else:
        known[_key(pod)] = pod


def _key(pod: dict) -> str:
    meta = pod.get("metadata") or {}
    return f"{meta.get('namespace')}/{meta.get('name')}"


def _version(pod: dict) -> str | None:
    return (pod.get("metadata") or {}).get("resourceVersion")


def _remaining(deadline):
    return None if deadline is None else deadline - time.monotonic()


def _shutdown(response) -> None:
    """Unblock a thread reading `response` (closing alone does not interrupt a blocked read)."""
    try:
        if hasattr(response, "shutdown"):  # urllib3 >= 2.3
            response.shutdown()
        response.close()
    except Exception:  # noqa: BLE001 - best effort: the reader sees a closed stream
        pass


class PodWatcher:
    """Follow pods in several namespaces: one watching thread each, feeding one queue.

    Iterate for (namespace, event_type, pod), or call next_event(timeout) from a
    loop that has other work to do; event_type "BOOKMARK" (no pod, only a resourceVersion)
    says the watch of that namespace is current. A watch that fails for good is re-raised
    here. Use as a context manager, or call close().
    """

    def __init__(self, cluster, namespaces, label_selector=None, timeout=None):
        self._queue: queue.Queue = queue.Queue()
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._stops = {ns: WatchStop() for ns in namespaces}
        self._running = len(self._stops)
        self._threads = [
            threading.Thread(target=self._follow, name=f"crashlab-watch-{ns}", daemon=True,
                             args=(cluster, ns, label_selector, timeout, stop))
            for ns, stop in self._stops.items()]
        for thread in self._threads:
            thread.start()

    def _follow(self, cluster, namespace, label_selector, timeout, stop):
        try:
            for kind, pod in watch_pods(cluster, namespace, label_selector, timeout, stop,
                                        bookmarks=True):
                self._queue.put((namespace, kind, pod))
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
            self._queue.put(exc)
        finally:
            self._queue.put(None)

    def next_event(self, timeout: float | None = None):
        """The next (namespace, event_type, pod), or None when `timeout` passes / all ended."""
        end = None if timeout is None else time.monotonic() + timeout
        while self._running:
            wait = [x for x in (_remaining(end), _remaining(self._deadline)) if x is not None]
            try:
                item = self._queue.get(timeout=max(0.0, min(wait)) if wait else None)
            except queue.Empty:
                return None
            if item is None:
                self._running -= 1
            elif isinstance(item, BaseException):
                self.close()
                raise item
            else:
                return item
        return None

    def __iter__(self):
        while (item := self.next_event()) is not None:
            yield item

    def close(self) -> None:
        for stop in self._stops.values():
            stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
