"""What the lab app does in a container spec: the lab-app contract (docs/DEVELOPING.md) as data.

Pure apart from reading ConfigMaps through the function it is given. The kubelet
turns the Outcome into a status/event/log timeline.
"""

import posixpath
import re
from dataclasses import dataclass, field

from . import appdeps, applog

APP_ENTRYPOINTS = ("lab-app", "/usr/local/bin/lab-app")
APP_UID = 10001
DEFAULT_DATA_DIR = "/var/lib/lab-app"
MEMORY_OVERHEAD_MIB = 30  # python + the HTTP server, on top of APP_WORKING_SET_MB
OCI_PREFIX = ("failed to create containerd task: failed to create shim task: OCI runtime create "
              "failed: runc create failed: unable to start container process: error during "
              "container init: ")


@dataclass
class Outcome:
    """How one container run ends. kind: healthy, start-error, crash, oom, liveness,
    config-error (CreateContainerConfigError) or mount-error (FailedMount)."""

    kind: str
    reason: str = ""           # terminated reason (Error, OOMKilled, StartError) or waiting reason
    exit_code: int = 0
    message: str = ""          # terminated/waiting message; event text for config/mount errors
    log: str = ""              # what the run prints before it ends (or while serving)
    probe_detail: str = ""     # liveness failure detail
    probe_path: str = ""
    probe_period: float = 10.0
    probe_delay: float = 0.0
    probe_failures: int = 3
    crash_after: float = 1.0   # start -> a failing startup step exits (the app's own timeout)
    ready: bool = True         # readiness while running
    readiness_detail: str = ""
    extra: dict = field(default_factory=dict)


def parse_quantity_mib(text) -> float | None:
    """'64Mi' -> 64, '1Gi' -> 1024, '100M' -> 95.4, '134217728' -> 128."""
    if text is None:
        return None
    match = re.fullmatch(r"([0-9.]+)([EPTGMK]i?|[mk]?)", str(text).strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    factors = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "K": 1e3,
               "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3, "": 1}
    return number * factors.get(unit, 1) / 2**20


def resolve_env(container: dict, get_configmap) -> tuple[dict[str, str], str | None]:
    """The container's environment, or an `Error: ...` for CreateContainerConfigError."""
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        ref = source.get("configMapRef")
        if ref:
            data = get_configmap(ref["name"])
            if data is None and not ref.get("optional"):
                return env, f'configmap "{ref["name"]}" not found'
            env.update((source.get("prefix", "") + k, v) for k, v in (data or {}).items())
    for var in container.get("env") or []:
        ref = (var.get("valueFrom") or {}).get("configMapKeyRef")
        if ref:
            data = get_configmap(ref["name"])
            if data is None:
                return env, f'configmap "{ref["name"]}" not found'
            if ref["key"] not in data:
                return env, f'couldn\'t find key {ref["key"]} in ConfigMap {ref["name"]}'
            env[var["name"]] = data[ref["key"]]
        else:
            env[var["name"]] = str(var.get("value", ""))
    return env, None


def mounted_file(pod_spec: dict, container: dict, path: str, get_configmap):
    """(volume name, missing ConfigMap name or None, file content or None) for `path`."""
    volumes = {v["name"]: v for v in pod_spec.get("volumes") or []}
    for mount in container.get("volumeMounts") or []:
        mount_path = mount["mountPath"].rstrip("/")
        volume = volumes.get(mount["name"]) or {}
        source = volume.get("configMap")
        if mount.get("subPath"):
            if mount_path != path:
                continue
            key = mount["subPath"]
        elif posixpath.dirname(path) == mount_path:
            key = posixpath.basename(path)
        else:
            continue
        if not source:
            return mount["name"], None, None
        data = get_configmap(source["name"])
        if data is None:
            return mount["name"], (None if source.get("optional") else source["name"]), None
        items = {i["path"]: i["key"] for i in source.get("items") or []}
        if items:
            key = items.get(key)
        return mount["name"], None, (data.get(key) if key else None)
    return None, None, None


def _uid_gid(pod_spec: dict, container: dict) -> tuple[int, int]:
    pod_ctx = pod_spec.get("securityContext") or {}
    ctx = container.get("securityContext") or {}
    uid = ctx.get("runAsUser", pod_ctx.get("runAsUser"))
    gid = ctx.get("runAsGroup", pod_ctx.get("runAsGroup"))
    if uid is None:
        return APP_UID, APP_UID if gid is None else gid
    return uid, gid if gid is not None else (APP_UID if uid == APP_UID else 0)


def _volume_at(container: dict, directory: str) -> bool:
    directory = directory.rstrip("/")
    return any(m["mountPath"].rstrip("/") in (directory, f"{directory}/cache")
               for m in container.get("volumeMounts") or [])


def _exec_failure(argv0: str) -> str:
    why = (f"stat {argv0}: no such file or directory" if "/" in argv0
           else "executable file not found in $PATH")
    return f'{OCI_PREFIX}exec: "{argv0}": {why}: unknown'


def _probe(container: dict, probe_key: str, app_port: int) -> tuple[str, str]:
    """(detail of the probe failure or '', path) for an httpGet probe against the app."""
    probe = container.get(probe_key) or {}
    http = probe.get("httpGet")
    if not http:
        return "", ""
    path, port = http.get("path", "/"), http.get("port")
    if isinstance(port, str) and not port.isdigit():
        named = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
        port = named.get(port, port)
    if int(port) != app_port:
        target = f"10.244.0.7:{port}"
        return (f'Get "http://{target}{path}": dial tcp {target}: connect: connection refused',
                path)
    if path not in ("/healthz", "/"):
        return "HTTP probe failed with statuscode: 404", path
    return "", path


def predict(pod: dict, container: dict, get_configmap, view=None) -> Outcome:
    """Interpret one container of `pod` against the lab-app contract.

    `view` (see appdeps) reads the other objects of the pod's namespace; without it the
    steps that need them (Secret file, backend, API settings) are not played."""
    spec = pod.get("spec") or {}
    command = container.get("command") or []
    if command and command[0] not in APP_ENTRYPOINTS:
        message = _exec_failure(command[0])
        return Outcome("start-error", "StartError", 128, message)
    env, env_error = resolve_env(container, get_configmap)
    if env_error:
        return Outcome("config-error", "CreateContainerConfigError", message=env_error)
    config_path = env.get("APP_CONFIG_FILE")
    if config_path:
        volume, missing, _ = mounted_file(spec, container, config_path, get_configmap)
        if missing:
            return Outcome("mount-error", "ContainerCreating", message=(
                f'MountVolume.SetUp failed for volume "{volume}" : configmap "{missing}" '
                "not found"))
    uid, gid = _uid_gid(spec, container)
    log = applog.banner(env.get("APP_NAME") or "lab-app", uid, gid)
    args = (command[1:] if command else []) + list(container.get("args") or [])
    if args:
        return Outcome("crash", "Error", 2, log=log + applog.unexpected_args(args))
    data_dir = env.get("APP_DATA_DIR") or DEFAULT_DATA_DIR
    read_only = (container.get("securityContext") or {}).get("readOnlyRootFilesystem", False)
    if not _volume_at(container, data_dir) and (read_only or uid not in (0, APP_UID)):
        return Outcome("crash", "Error", 1,
                       log=log + applog.data_dir_denied(data_dir, uid, read_only))
    log += applog.data_dir_ready(data_dir)
    password_path = env.get("APP_DB_PASSWORD_FILE")
    if password_path and view is not None:
        ok, text = appdeps.password_log(
            password_path, appdeps.secret_file(spec, container, password_path, view))
        log += text
        if not ok:
            return Outcome("crash", "Error", 1, log=log)
    if config_path:
        _, _, content = mounted_file(spec, container, config_path, get_configmap)
        ok, text = applog.wiring(config_path, content)
        log += text
        if not ok:
            return Outcome("crash", "Error", 1, log=log)
    if env.get("APP_BACKEND_ADDR") and view is not None:
        ok, text, seconds = appdeps.backend(env, view)
        log += text
        if not ok:
            # Each restart is a new process that connects again: once the Service has
            # endpoints, the next run gets through (podrun re-predicts on restart).
            return Outcome("crash", "Error", 1, log=log, crash_after=seconds,
                           extra={"reconnects": True})
    if env.get("APP_SETTINGS_CONFIGMAP") and view is not None:
        namespace = (pod.get("metadata") or {}).get("namespace", "default")
        ok, text = appdeps.settings(env, spec, namespace, view)
        log += text
        if not ok:
            return Outcome("crash", "Error", 1, log=log)
    working_mb = int(env.get("APP_WORKING_SET_MB") or 0)
    limit = parse_quantity_mib(((container.get("resources") or {}).get("limits") or {})
                               .get("memory"))
    if limit is not None and limit < working_mb + MEMORY_OVERHEAD_MIB:
        reached = max(0, int(limit) - MEMORY_OVERHEAD_MIB)
        return Outcome("oom", "OOMKilled", 137, log=log + applog.working_set(working_mb, reached))
    port = int(env.get("APP_PORT") or 8080)
    log += applog.working_set(working_mb)
    if appdeps.oneshot(env):
        name = env.get("APP_NAME") or "lab-app"
        return Outcome("crash", "Completed", 0,
                       log=log + applog.line("INFO", f"{name}: run complete in 0.0 s, exiting"))
    warm_up = appdeps.startup_log(env)
    liveness_timing = appdeps.probe_failure(container, "livenessProbe", env)
    if liveness_timing and "connection refused" in liveness_timing:
        log += warm_up  # killed while warming up: it never gets to listen
    else:
        log += warm_up + (applog.line("INFO", "warm-up done in "
                                      f"{appdeps._seconds(env, 'APP_WARM_UP_SECONDS'):.1f} s")
                          if warm_up else "")
        log += (applog.line("INFO", f"listening on 0.0.0.0:{port} (TCP)")
                if appdeps.tcp_listener(env) else applog.listening(port))
    outcome = Outcome("healthy", log=log)
    outcome.readiness_detail, _ = _probe(container, "readinessProbe", port)
    if not outcome.readiness_detail:
        outcome.readiness_detail = appdeps.probe_failure(container, "readinessProbe", env)
    outcome.ready = not outcome.readiness_detail
    detail, path = _probe(container, "livenessProbe", port)
    if not detail and liveness_timing:
        detail, path = liveness_timing, container["livenessProbe"]["httpGet"].get("path", "/")
    if detail:
        probe = container["livenessProbe"]
        outcome.kind, outcome.reason, outcome.exit_code = "liveness", "Error", 137
        outcome.probe_detail, outcome.probe_path = detail, path
        outcome.probe_period = float(probe.get("periodSeconds", 10))
        outcome.probe_delay = float(probe.get("initialDelaySeconds", 0))
        outcome.probe_failures = int(probe.get("failureThreshold", 3))
    return outcome
