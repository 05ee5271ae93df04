#!/usr/bin/env python3
"""lab-app: the small service every crashlab scenario runs.

Standard library only. Behaviour is switched by APP_* environment variables
(see README.md next to this file). Startup runs in a fixed order, each step
able to fail the way real services fail in a CrashLoopBackOff:

    banner -> data directory -> credentials -> dependency wiring -> backend
    -> settings from the Kubernetes API -> working set -> warm-up -> serve

and "serve" is one of three modes (APP_MODE): the HTTP service, a plain TCP
listener (the backend other services connect to), or a one-shot task that exits 0.
"""

import errno
import http.server
import json
import os
import pwd
import re
import signal
import socket
import socketserver
import ssl
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

VERSION = "0.1.0"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DEFAULT_DATA_DIR = "/var/lib/lab-app"
CHUNK_MIB = 8
MIB = 1024 * 1024
BACKEND_SCHEMES = ("http", "https", "mysql", "postgres", "postgresql", "redis")
BACKEND_EXAMPLE = "postgres://inventory-db:5432/inventory"

MODES = ("server", "tcp-listener", "oneshot")
DEFAULT_API_URL = "https://kubernetes.default.svc"
DEFAULT_SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
WARM_UP_LOG_EVERY = 5.0

STARTED_AT = time.monotonic()


# --------------------------------------------------------------------- logging

def log(level, message, logger=""):
    """Print one log line and flush it, so `kubectl logs` shows it at once."""
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    millis = int(now * 1000) % 1000
    prefix = f"{logger}  " if logger else ""
    print(f"{stamp}.{millis:03d}Z {level:<5} {prefix}{message}", flush=True)


def log_raw(text):
    """Print text as is (tracebacks, the failure block), like a framework does."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


class StartupFailed(Exception):
    """A startup step failed; the message is already logged."""

    def __init__(self, exit_code):
        super().__init__(exit_code)
        self.exit_code = exit_code


class Terminated(BaseException):
    """Raised from the signal handler so any step can stop promptly."""


# -------------------------------------------------------------------- settings

def read_settings(environ):
    """Parse the APP_* variables; exit 2 on a value that cannot be used."""
    return {
        "name": environ.get("APP_NAME") or "lab-app",
        "port": parse_int(environ, "APP_PORT", 8080, 1, 65535),
        "data_dir": environ.get("APP_DATA_DIR") or DEFAULT_DATA_DIR,
        "config_file": environ.get("APP_CONFIG_FILE") or None,
        "working_set_mb": parse_int(environ, "APP_WORKING_SET_MB", 0, 0, 1024 * 1024),
        "mode": parse_choice(environ, "APP_MODE", MODES),
        "warm_up": parse_seconds(environ, "APP_WARM_UP_SECONDS"),
        "health_delay": parse_seconds(environ, "APP_HEALTH_DELAY_SECONDS"),
        "password_file": environ.get("APP_DB_PASSWORD_FILE") or None,
        "backend": parse_address(environ, "APP_BACKEND_ADDR"),
        "backend_timeout": parse_seconds(environ, "APP_BACKEND_TIMEOUT_SECONDS", 5.0),
        "configmap": environ.get("APP_SETTINGS_CONFIGMAP") or None,
        "api_url": (environ.get("APP_API_URL") or DEFAULT_API_URL).rstrip("/"),
        "sa_dir": environ.get("APP_SA_DIR") or DEFAULT_SA_DIR,
    }


def parse_choice(environ, name, choices):
    raw = environ.get(name, "").strip()
    if not raw:
        return choices[0]
    if raw not in choices:
        log("FATAL", f"invalid {name}={raw!r}: expected one of {', '.join(choices)}")
        raise StartupFailed(EXIT_USAGE)
    return raw


def parse_seconds(environ, name, default=0.0):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        log("FATAL", f"invalid {name}={raw!r}: expected seconds from 0 to 3600 (e.g. 2 or 0.5)")
        raise StartupFailed(EXIT_USAGE)
    return value


def parse_address(environ, name):
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        log("FATAL", f"invalid {name}={raw!r}: expected host:port, e.g. orders-db:5432")
        raise StartupFailed(EXIT_USAGE)
    return host, int(port)


def parse_int(environ, name, default, low, high):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        log("FATAL", f"invalid {name}={raw!r}: expected a whole number from {low} to {high}")
        raise StartupFailed(EXIT_USAGE)
    return value


# ---------------------------------------------------------------------- banner

def log_banner(name):
    uid, gid = os.getuid(), os.getgid()
    user = user_name(uid)
    python = ".".join(map(str, sys.version_info[:3]))
    log("INFO", f"starting {name} (lab-app {VERSION}, pid {os.getpid()}, uid {uid}, gid {gid}, "
                f"user {user or '?'}, python {python})")
    if user is None:
        log("WARN", f"uid {uid} has no entry in /etc/passwd (I have no name!)")


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


# ------------------------------------------------------------------ data dir

def prepare_data_dir(data_dir):
    """Create <data_dir>/cache and write a file there, as a cache warm-up would."""
    cache = os.path.join(data_dir, "cache")
    try:
        do_step("mkdir", cache, lambda: os.makedirs(cache, exist_ok=True))
        marker = os.path.join(cache, "last-start")
        do_step("open", marker, lambda: write_file(marker, f"{os.getpid()} {time.time()}\n"))
    except OSError as exc:
        log("FATAL", f"cannot prepare data directory: {describe_os_error(exc)}")
        raise StartupFailed(EXIT_FAILED) from exc
    log("INFO", f"data directory ready: {cache}")


def do_step(operation, path, action):
    """Run action; tag any OSError with the operation and path for the log line."""
    try:
        action()
    except OSError as exc:
        exc.operation = operation
        exc.filename = exc.filename or path
        raise


def write_file(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def describe_os_error(exc):
    """`mkdir /x/cache: Permission denied (errno 13); <hint>` - the EACCES shape people grep for."""
    code = exc.errno or 0
    text = (f"{getattr(exc, 'operation', 'access')} {exc.filename}: "
            f"{os.strerror(code)} (errno {code})")
    hint = os_error_hint(code, exc.filename)
    return f"{text}; {hint}" if hint else text


def os_error_hint(code, path):
    if code == errno.EROFS:
        return "the filesystem is mounted read-only"
    if code not in (errno.EACCES, errno.EPERM):
        return ""
    hint = f"running as uid {os.getuid()}"
    try:
        owner = os.stat(os.path.dirname(path))
    except OSError:
        return hint
    mode = owner.st_mode & 0o7777
    return f"{hint}, the directory belongs to uid {owner.st_uid} (mode {mode:04o})"


# ------------------------------------------------- dependency wiring ("labkit")
# A tiny imitation of a dependency-injection framework: the failure must look
# like Spring Boot's (bean error, placeholder cause, APPLICATION FAILED TO
# START block) because that is what the workshop's sample 3 shows.

BOOT = "labkit.boot"
BEAN_ERROR = "Error creating bean with name 'inventoryRepository'"
PROPERTY_LINE = re.compile(r"([^=:\s]*)\s*[=:]?\s*(.*)")


class BeanCreationError(Exception):
    """A component could not be built from the configuration."""

    __module__ = "labkit.beans"


class PlaceholderResolutionError(Exception):
    """A ${placeholder} has no value in the configuration."""

    __module__ = "labkit.config"


class InvalidPropertyError(Exception):
    """A setting is present but its value is unusable."""

    __module__ = "labkit.config"

    def __init__(self, value, problem):
        super().__init__(f"Invalid value for 'backend.url': {value!r} is not a valid backend "
                         f"URL ({problem})")
        self.value = value
        self.problem = problem


def wire_dependencies(config_file):
    """Build the one repository the app 'needs'; return the backend URL (masked)."""
    log("INFO", f"Loading configuration from {config_file}", BOOT)
    try:
        url = create_inventory_repository(config_file)
    except BeanCreationError as exc:
        report_wiring_failure(exc, config_file)
        raise StartupFailed(EXIT_FAILED) from exc
    masked = mask_password(url)
    log("INFO", f"Wired inventoryRepository to backend {masked}", BOOT)
    return masked


def create_inventory_repository(config_file):
    try:
        return resolve_backend_url(load_properties(config_file))
    except OSError as exc:
        reason = (f"Could not load properties from {config_file} to resolve 'backend.url': "
                  f"{os.strerror(exc.errno or 0)}")
        raise BeanCreationError(f"{BEAN_ERROR}: {reason}") from exc
    except (PlaceholderResolutionError, InvalidPropertyError) as exc:
        raise BeanCreationError(f"{BEAN_ERROR}: {exc}") from exc


def load_properties(path):
    """Read a Java-style properties file: key=value, key: value, # or ! comments."""
    properties = {}
    with open(path, encoding="latin-1") as handle:  # as Java reads .properties
        for line in handle:
            key, value = split_property(line.strip())
            if key:
                properties[key] = value
    return properties


def split_property(line):
    """Split `key=value`, `key: value` or `key value` at the first separator."""
    if not line or line[0] in "#!":
        return None, None
    key, value = PROPERTY_LINE.match(line).groups()
    return key, value.strip()


def resolve_backend_url(properties):
    url = properties.get("backend.url", "")
    if not url:
        raise PlaceholderResolutionError(
            "Could not resolve placeholder 'backend.url' in value \"${backend.url}\"")
    problem = url_problem(url)
    if problem:
        raise InvalidPropertyError(mask_password(url), problem)
    return url


def url_problem(url):
    """Return why url is not a usable backend URL, or '' when it is."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in BACKEND_SCHEMES:
        return f"scheme must be one of {', '.join(BACKEND_SCHEMES)}"
    if not parts.hostname:
        return "no host"
    return ""


def report_wiring_failure(exc, config_file):
    log("ERROR", "Application run failed", BOOT)
    log_raw("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    description, action = explain_wiring_failure(exc.__cause__, config_file)
    log_raw(f"\n***************************\nAPPLICATION FAILED TO START\n"
            f"***************************\n\nDescription:\n\n{description}\n\n"
            f"Action:\n\n{action}\n")


def explain_wiring_failure(cause, config_file):
    fix = (f"Set backend.url in {config_file} to the backend's URL, "
           f"for example backend.url={BACKEND_EXAMPLE}")
    if isinstance(cause, OSError):
        return (f"The configuration file {config_file} (APP_CONFIG_FILE) could not be read: "
                f"{os.strerror(cause.errno or 0)}. inventoryRepository needs the setting "
                "'backend.url' from it.",
                "Mount the file at that path (check the volume and its items) or point "
                f"APP_CONFIG_FILE at a file that exists. {fix}.")
    if isinstance(cause, PlaceholderResolutionError):
        return (f"inventoryRepository required the setting 'backend.url' that could not be "
                f"found (or is empty) in {config_file}.", f"{fix}.")
    return (f"The setting 'backend.url' in {config_file} has the value {cause.value!r}, "
            f"which is not a valid backend URL: {cause.problem}.",
            f"{fix} (scheme://host[:port]/path, scheme one of {', '.join(BACKEND_SCHEMES)}).")


def mask_password(url):
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:****@{host}"))


# ---------------------------------------------------------------- credentials

def read_db_password(path):
    """Read the backend database password from a mounted file (a Secret volume)."""
    try:
        with open(path, encoding="utf-8") as handle:
            password = handle.read().strip()
    except OSError as exc:
        log("FATAL", f"missing credentials for the backend database: cannot read {path}: "
                     f"{os.strerror(exc.errno or 0)} (APP_DB_PASSWORD_FILE)")
        raise StartupFailed(EXIT_FAILED) from exc
    if not password:
        log("FATAL", f"missing credentials for the backend database: {path} is empty "
                     "(APP_DB_PASSWORD_FILE)")
        raise StartupFailed(EXIT_FAILED)
    log("INFO", f"database credentials read from {path}")


# -------------------------------------------------------------------- backend

def connect_backend(address, timeout):
    """Open a TCP connection to host:port, retrying once a second until `timeout` s."""
    host, port = address
    log("INFO", f"connecting to backend {host}:{port} (timeout {timeout:g} s)")
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        attempt += 1
        try:
            remaining = max(deadline - time.monotonic(), 0.1)
            socket.create_connection((host, port), timeout=remaining).close()
        except OSError as exc:
            reason = describe_connect_error(exc)
        else:
            log("INFO", f"backend {host}:{port} reachable (attempt {attempt})")
            return f"{host}:{port}"
        if time.monotonic() + 1 >= deadline:
            break
        log("WARN", f"backend {host}:{port} not reachable yet (attempt {attempt}): {reason}")
        time.sleep(1)
    log("FATAL", f"cannot connect to backend {host}:{port} within {timeout:g} s "
                 f"({attempt} attempts): {reason}")
    raise StartupFailed(EXIT_FAILED)


def describe_connect_error(exc):
    if isinstance(exc, socket.timeout):
        return "connect timed out"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name: {exc.strerror}"
    code = exc.errno or 0
    return f"{os.strerror(code)} (errno {code})" if code else str(exc)


# ------------------------------------------------------ settings from the API
# In-cluster access the way client libraries do it: the pod's ServiceAccount token
# and CA from the mounted service-account directory, the namespace next to them.

def read_settings_configmap(name, api_url, sa_dir):
    """GET the ConfigMap `name` of the pod's namespace through the Kubernetes API."""
    try:
        token = read_text(os.path.join(sa_dir, "token"))
        namespace = read_text(os.path.join(sa_dir, "namespace"))
    except OSError as exc:
        log("FATAL", f"no service account credentials: cannot read {exc.filename}: "
                     f"{os.strerror(exc.errno or 0)}")
        raise StartupFailed(EXIT_FAILED) from exc
    url = f"{api_url}/api/v1/namespaces/{namespace}/configmaps/{name}"
    log("INFO", f"reading settings from ConfigMap {namespace}/{name} via {api_url}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/json"})
    try:
        context = None
        if url.startswith("https:"):
            context = ssl.create_default_context(cafile=os.path.join(sa_dir, "ca.crt"))
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        log("FATAL", f"cannot read settings: GET {url}: {exc.code} {exc.reason}: "
                     f"{api_error_message(exc)}")
        raise StartupFailed(EXIT_FAILED) from exc
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        log("FATAL", f"cannot read settings: GET {url}: {reason}")
        raise StartupFailed(EXIT_FAILED) from exc
    keys = sorted(body.get("data") or {})
    log("INFO", f"settings loaded from ConfigMap {namespace}/{name}: {', '.join(keys) or 'no keys'}")
    return keys


def read_text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().strip()


def api_error_message(exc):
    """The `message` of the API's Status body, or the raw body when it is not one."""
    raw = exc.read().decode("utf-8", "replace")
    try:
        return json.loads(raw)["message"]
    except (ValueError, KeyError, TypeError):
        return raw.strip() or "(no body)"


# -------------------------------------------------------------------- warm-up

def warm_up(seconds):
    """Take `seconds` before serving, as a service loading caches does; log progress."""
    if seconds <= 0:
        return
    log("INFO", f"warming up before serving (about {seconds:g} s)")
    started = time.monotonic()
    while True:
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            break
        time.sleep(min(WARM_UP_LOG_EVERY, left))
        done = time.monotonic() - started
        if done < seconds:
            log("INFO", f"warming up: {done:.0f}/{seconds:g} s")
    log("INFO", f"warm-up done in {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------- working set

def allocate_working_set(megabytes):
    """Allocate and touch `megabytes` MiB so it counts as resident memory."""
    if megabytes <= 0:
        return []
    log("INFO", f"allocating working set of {megabytes} MiB")
    started = time.monotonic()
    chunks, done = [], 0
    while done < megabytes:
        size = min(CHUNK_MIB, megabytes - done)
        try:
            chunks.append(touched_chunk(size * MIB))
        except MemoryError as exc:
            chunks.clear()  # free it first, or logging itself may fail
            log("FATAL", f"cannot allocate working set: out of memory after {done} of "
                         f"{megabytes} MiB (APP_WORKING_SET_MB is above the memory available)")
            raise StartupFailed(EXIT_FAILED) from exc
        done += size
        if done % 64 == 0 and done < megabytes:
            log("INFO", f"working set: {done}/{megabytes} MiB")
    log("INFO", f"working set ready: {megabytes} MiB in {len(chunks)} chunks "
                f"({time.monotonic() - started:.2f} s)")
    return chunks


def touched_chunk(size):
    # bytearray memory is only reserved until written: write one byte per page.
    page = os.sysconf("SC_PAGE_SIZE")
    chunk = bytearray(size)
    chunk[::page] = b"\x5a" * len(range(0, size, page))
    return chunk


# ------------------------------------------------------------------------ HTTP

class LabHandler(http.server.BaseHTTPRequestHandler):
    server_version = f"lab-app/{VERSION}"
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - http.server naming
        if self.path == "/healthz":
            time.sleep(self.server.health_delay)  # before any byte: a probe sees no headers
            self.reply(200, "text/plain; charset=utf-8", b"ok")
        elif self.path == "/":
            body = json.dumps(self.server.status(), sort_keys=True).encode() + b"\n"
            self.reply(200, "application/json", body)
        else:
            self.reply(404, "text/plain; charset=utf-8", f"not found: {self.path}\n".encode())

    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        # A malformed request is answered before command, path and headers exist.
        headers = getattr(self, "headers", None)
        agent = headers.get("User-Agent", "-") if headers else "-"
        log("INFO", f"{self.command or '-'} {getattr(self, 'path', '-')} {code} "
                    f"from {self.client_address[0]} {agent}")

    def log_message(self, fmt, *args):
        log("WARN", f"http: {fmt % args}")


class LabServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, status, health_delay=0.0):
        super().__init__(("0.0.0.0", port), LabHandler)
        self.status = status
        self.health_delay = health_delay


class BackendHandler(socketserver.BaseRequestHandler):
    """The backend's TCP side: greet, log the peer, close."""

    def handle(self):
        log("INFO", f"connection from {self.client_address[0]}")
        try:
            self.request.sendall(f"{self.server.name} ready\n".encode())
        except OSError:
            pass  # a TCP probe closes at once; nothing to report


class BackendServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, name):
        super().__init__(("0.0.0.0", port), BackendHandler)
        self.name = name


def open_server(port, factory):
    try:
        return factory()
    except OSError as exc:
        code = exc.errno or 0
        log("FATAL", f"cannot listen on 0.0.0.0:{port}: {os.strerror(code)} (errno {code})")
        raise StartupFailed(EXIT_FAILED) from exc


def status_report(settings, backend):
    uid = os.getuid()
    return lambda: {
        "name": settings["name"],
        "version": VERSION,
        "pid": os.getpid(),
        "uid": uid,
        "gid": os.getgid(),
        "user": user_name(uid),
        "backend": backend,
        "working_set_mib": settings["working_set_mb"],
        "uptime_seconds": round(time.monotonic() - STARTED_AT, 3),
    }


# ------------------------------------------------------------------------ main

def on_signal(signum, _frame):
    raise Terminated(signum)


def run(settings):
    """Run the startup steps in order, then serve (or finish) as APP_MODE says."""
    prepare_data_dir(settings["data_dir"])
    if settings["password_file"]:
        read_db_password(settings["password_file"])
    backend = None
    if settings["config_file"]:
        backend = wire_dependencies(settings["config_file"])
    if settings["backend"]:
        backend = connect_backend(settings["backend"], settings["backend_timeout"])
    if settings["configmap"]:
        read_settings_configmap(settings["configmap"], settings["api_url"], settings["sa_dir"])
    working_set = allocate_working_set(settings["working_set_mb"])
    warm_up(settings["warm_up"])
    if settings["mode"] == "oneshot":
        log("INFO", f"{settings['name']}: run complete in "
                    f"{time.monotonic() - STARTED_AT:.1f} s, exiting")
        return
    port = settings["port"]
    if settings["mode"] == "tcp-listener":
        server = open_server(port, lambda: BackendServer(port, settings["name"]))
        listening = f"listening on 0.0.0.0:{port} (TCP)"
    else:
        status = status_report(settings, backend)
        server = open_server(port, lambda: LabServer(port, status, settings["health_delay"]))
        listening = f"listening on 0.0.0.0:{port} (GET /healthz, GET /)"
    try:
        log("INFO", listening)
        server.serve_forever()
    finally:
        server.server_close()
        del working_set


def main(argv, environ):
    if argv == ["--version"]:
        print(f"lab-app {VERSION}", flush=True)
        return EXIT_OK
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    try:
        log_banner(environ.get("APP_NAME") or "lab-app")
        if argv:
            log("FATAL", f"unexpected arguments {argv}: lab-app is configured only through "
                         "APP_* environment variables")
            return EXIT_USAGE
        run(read_settings(environ))
    except StartupFailed as exc:
        return exc.exit_code
    except Terminated as exc:
        signum = exc.args[0]
        log("INFO", f"received {signal.Signals(signum).name}, shutting down")
        # Like a JVM: a clean shutdown still exits 128 + signal, so a liveness kill shows
        # exit code 143 in lastState (an exit 0 would read as "Completed", a look-alike).
        return 128 + signum
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
