"""Log text as the lab app (images/app/lab_app.py) prints it, for the kubelet's `kubectl logs`.

The configuration failure is produced by running the app's own wiring code on the
ConfigMap's content, so the stack trace and the APPLICATION FAILED TO START block
are the app's real output (paths rewritten to where they are inside the container).
"""

import contextlib
import importlib.util
import io
import os
import tempfile
import time
from functools import lru_cache

from runner import paths

APP_PATH_IN_IMAGE = "/usr/local/bin/lab-app"
KNOWN_USERS = {0: "root", 10001: "app"}


@lru_cache(maxsize=1)
def lab_app():
    """The lab app module, loaded from images/app/lab_app.py."""
    source = paths.app_image_dir() / "lab_app.py"
    spec = importlib.util.spec_from_file_location("crashlab_lab_app", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line(level: str, message: str, logger: str = "") -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    millis = int(time.time() * 1000) % 1000
    prefix = f"{logger}  " if logger else ""
    return f"{stamp}.{millis:03d}Z {level:<5} {prefix}{message}\n"


def banner(name: str, uid: int, gid: int, pid: int = 1) -> str:
    user = KNOWN_USERS.get(uid)
    text = line("INFO", f"starting {name} (lab-app {lab_app().VERSION}, pid {pid}, uid {uid}, "
                        f"gid {gid}, user {user or '?'}, python 3.11.2)")
    if user is None:
        text += line("WARN", f"uid {uid} has no entry in /etc/passwd (I have no name!)")
    return text


def data_dir_ready(data_dir: str) -> str:
    return line("INFO", f"data directory ready: {data_dir}/cache")


def data_dir_denied(data_dir: str, uid: int, read_only: bool) -> str:
    cache = f"{data_dir}/cache"
    if read_only:
        why = "Read-only file system (errno 30); the filesystem is mounted read-only"
    else:
        why = (f"Permission denied (errno 13); running as uid {uid}, the directory belongs to "
               "uid 10001 (mode 0700)")
    return line("FATAL", f"cannot prepare data directory: mkdir {cache}: {why}")


def unexpected_args(args: list[str]) -> str:
    return line("FATAL", f"unexpected arguments {args}: lab-app is configured only through "
                         "APP_* environment variables")


def wiring(config_path: str, content: str | None) -> tuple[bool, str]:
    """Run the app's dependency wiring on `content` (None: no such file) -> (ok, log text)."""
    app = lab_app()
    with tempfile.TemporaryDirectory() as tmp:
        host_path = os.path.join(tmp, "missing.properties")
        if content is not None:
            with open(host_path, "w", encoding="latin-1") as handle:
                handle.write(content)
        out = io.StringIO()
        ok = True
        with contextlib.redirect_stdout(out):
            try:
                app.wire_dependencies(host_path)
            except app.StartupFailed:
                ok = False
    text = out.getvalue().replace(host_path, config_path)
    return ok, text.replace(str(paths.app_image_dir() / "lab_app.py"), APP_PATH_IN_IMAGE)


def working_set(megabytes: int, reached: int | None = None) -> str:
    """Allocation lines; `reached` < megabytes: the process was killed on the way."""
    if megabytes <= 0:
        return ""
    text = line("INFO", f"allocating working set of {megabytes} MiB")
    top = megabytes if reached is None else reached
    text += "".join(line("INFO", f"working set: {done}/{megabytes} MiB")
                    for done in range(64, min(top, megabytes - 1) + 1, 64))
    if reached is None:
        text += line("INFO", f"working set ready: {megabytes} MiB in "
                             f"{-(-megabytes // 8)} chunks (0.05 s)")
    return text


def listening(port: int) -> str:
    return line("INFO", f"listening on 0.0.0.0:{port} (GET /healthz, GET /)")


def request(path: str, code: int, agent: str = "kube-probe/1.33") -> str:
    return line("INFO", f"GET {path} {code} from 10.244.0.1 {agent}")
