"""Serve the class view on a local address: the page, `/view.json` and `/events` (SSE).

Bound to 127.0.0.1 by default, where only this computer can reach it (and a request
naming another host is refused, so a web page elsewhere cannot read it through DNS
rebinding). Any other address needs the token made for this run: the URL printed
carries it once, the browser keeps it as a cookie, and a viewer without it is refused.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from runner.classview.page import render_page, view_json

COOKIE = "crashlab_view"
HEARTBEAT = 5.0   # seconds: a view is sent at least this often (times on the page move on)
SETTLE = 0.1      # seconds to gather a burst of changes into one update


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class ViewServer:
    """The page server for one ClassFeed; `url` is what to open (with the token if any)."""

    def __init__(self, feed, address: str = "127.0.0.1", port: int = 0):
        self.feed = feed
        self.token = None if is_loopback(address) else secrets.token_urlsafe(24)
        self.httpd = ThreadingHTTPServer((address, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.view_server = self
        self.address, self.port = address, self.httpd.server_address[1]
        self.closing = threading.Event()
        self.refused = 0
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.1}, name="crashlab-view")

    @property
    def base_url(self) -> str:
        host = self.address if ":" not in self.address else f"[{self.address}]"
        return f"http://{host}:{self.port}/"

    @property
    def url(self) -> str:
        return self.base_url + (f"?token={self.token}" if self.token else "")

    def start(self) -> "ViewServer":
        self._thread.start()
        return self

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def allows(self, handler: "_Handler", query: dict) -> bool:
        if self.token is None:
            host = (handler.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
            return host in ("127.0.0.1", "localhost", "::1")
        given = query.get("token") or _cookie(handler.headers.get("Cookie"), COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())


def _cookie(header: str | None, name: str) -> str | None:
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - the terminal shows the class, not a log
        pass

    @property
    def owner(self) -> ViewServer:
        return self.server.view_server

    def do_GET(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        if not self.owner.allows(self, query):
            self.owner.refused += 1
            return self._send(403, "text/plain; charset=utf-8",
                              b"This class view needs the link printed by "
                              b"`crashlab workshop watch` (it carries a token).\n")
        if "token" in query:  # keep it as a cookie and take it out of the address bar
            self.send_response(303)
            self.send_header("Location", url.path or "/")
            self.send_header("Set-Cookie", f"{COOKIE}={self.owner.token}; HttpOnly; "
                             "SameSite=Strict; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if url.path == "/":
            return self._send(200, "text/html; charset=utf-8",
                              render_page(self.owner.feed.view()).encode())
        if url.path == "/view.json":
            return self._send(200, "application/json", view_json(self.owner.feed.view()).encode())
        if url.path == "/events":
            return self._stream()
        return self._send(404, "text/plain; charset=utf-8", b"not found\n")

    def _send(self, code: int, content_type: str, data: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def _stream(self) -> None:
        """Server-sent events: a view now, then after every change (and every HEARTBEAT s)."""
        feed, closing = self.owner.feed, self.owner.closing
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        seen = feed.version
        try:
            while not closing.is_set():
                self.wfile.write(b"data: " + view_json(feed.view()).encode() + b"\n\n")
                self.wfile.flush()
                version = feed.wait(seen, HEARTBEAT)
                if version != seen:
                    closing.wait(SETTLE)
                seen = feed.version
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
