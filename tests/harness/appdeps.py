"""The lab app's start-up steps that depend on other objects, and its probe timing, as data.

Used by appmodel.predict for the lab-3-plus scenarios: the password file from a Secret
volume, the backend behind a Service, settings read through the API with the pod's
ServiceAccount, the warm-up against the probes' timing, a slow health endpoint against
timeoutSeconds, the one-shot mode. `view` reads the pod's namespace from the emulator's
store: `view.get(resource, name)` (None when absent) and `view.list(resource)`.

Message shapes, from the sources:
- probe failures are the kubelet prober's `<Kind> probe failed: <output>` (pkg/kubelet/
  prober/prober.go), where the HTTP prober's output on a client error is Go's error text
  (pkg/probe/http/http.go DoHTTPProbe: `return probe.Failure, err.Error(), nil`):
  `Get "<url>": dial tcp <ip:port>: connect: connection refused` when nothing listens,
  `Get "<url>": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
  when the answer takes longer than timeoutSeconds (net/http client timeout);
- the 403 body is the API server's: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
  responsewriters/errors.go forbiddenMessage (`User %q cannot %s resource %q in API group
  %q in the namespace %q`) inside apimachinery's NewForbidden (`%s %q is forbidden: %v`,
  staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go).
"""

import posixpath

from . import applog

POD_IP = "10.244.0.7"  # as in appmodel._probe
DEFAULT_BACKEND_TIMEOUT = 5.0


def _seconds(env: dict, name: str, default: float = 0.0) -> float:
    try:
        return float(env.get(name) or default)
    except ValueError:
        return default


def oneshot(env: dict) -> bool:
    return env.get("APP_MODE") == "oneshot"


def tcp_listener(env: dict) -> bool:
    return env.get("APP_MODE") == "tcp-listener"


# ------------------------------------------------------------------ Secret volume

def secret_file(pod_spec: dict, container: dict, path: str, view) -> bytes | None:
    """The content of `path` if a Secret volume mounted in `container` provides it."""
    volumes = {v["name"]: v for v in pod_spec.get("volumes") or []}
    for mount in container.get("volumeMounts") or []:
        source = (volumes.get(mount["name"]) or {}).get("secret")
        if not source or posixpath.dirname(path) != mount["mountPath"].rstrip("/"):
            continue
        secret = view.get("secrets", source.get("secretName"))
        if secret is None:
            return None
        # The emulator stores what was sent: stringData is not folded into data.
        data = {**(secret.get("data") or {}), **(secret.get("stringData") or {})}
        items = {i["path"]: i["key"] for i in source.get("items") or []}
        key = items.get(posixpath.basename(path)) if items else posixpath.basename(path)
        value = data.get(key) if key else None
        return None if value is None else str(value).encode()
    return None


def password_log(path: str, content: bytes | None) -> tuple[bool, str]:
    if content is None:
        return False, applog.line("FATAL", f"missing credentials for the backend database: cannot "
                                           f"read {path}: No such file or directory "
                                           "(APP_DB_PASSWORD_FILE)")
    return True, applog.line("INFO", f"database credentials read from {path}")


# ------------------------------------------------------------------------ backend

def _selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def backend(env: dict, view) -> tuple[bool, str, float]:
    """(reachable, log text, seconds until the app gives up) for APP_BACKEND_ADDR."""
    address = env["APP_BACKEND_ADDR"]
    host, _, port = address.rpartition(":")
    timeout = _seconds(env, "APP_BACKEND_TIMEOUT_SECONDS", DEFAULT_BACKEND_TIMEOUT)
    log = applog.line("INFO", f"connecting to backend {address} (timeout {timeout:g} s)")
    service = view.get("services", host.split(".")[0])
    if service is None:
        why = "cannot resolve the host name: Name or service not known"
    else:
        selector = (service.get("spec") or {}).get("selector") or {}
        # A selected pod that is not Ready yet will be within the app's timeout, so a
        # Deployment whose pods the Service selects counts as reachable (its store pod
        # may be created a moment after this one).
        templates = [((d.get("spec") or {}).get("template") or {}).get("metadata") or {}
                     for d in view.list("deployments")
                     if ((d.get("spec") or {}).get("replicas", 1) or 0) > 0]
        labels = [m.get("labels") or {} for m in templates]
        labels += [p["metadata"].get("labels") or {} for p in view.list("pods")]
        if any(_selects(selector, found) for found in labels):
            return True, log + applog.line("INFO", f"backend {address} reachable (attempt 1)"), 0.0
        # kube-proxy rejects connections to a Service without endpoints (iptables REJECT).
        why = "Connection refused (errno 111)"
    attempts = max(1, int(timeout))
    for attempt in range(1, attempts):
        log += applog.line("WARN", f"backend {address} not reachable yet (attempt {attempt}): {why}")
    log += applog.line("FATAL", f"cannot connect to backend {address} within {timeout:g} s "
                                f"({attempts} attempts): {why}")
    return False, log, timeout


# ------------------------------------------------------------- settings via the API

def forbidden_message(namespace: str, account: str, name: str) -> str:
    return (f'configmaps "{name}" is forbidden: User "system:serviceaccount:{namespace}:{account}" '
            f'cannot get resource "configmaps" in API group "" in the namespace "{namespace}"')


def _role_allows(role: dict, name: str) -> bool:
    def has(values, wanted):
        return "*" in (values or []) or wanted in (values or [])
    return any(has(r.get("verbs"), "get") and has(r.get("apiGroups"), "")
               and has(r.get("resources"), "configmaps")
               and (not r.get("resourceNames") or name in r["resourceNames"])
               for r in role.get("rules") or [])


def may_get_configmap(view, namespace: str, account: str, name: str) -> bool:
    for binding in view.list("rolebindings"):
        if not any(s.get("kind") == "ServiceAccount" and s.get("name") == account
                   and s.get("namespace", namespace) == namespace
                   for s in binding.get("subjects") or []):
            continue
        ref = binding.get("roleRef") or {}
        role = view.get("roles", ref.get("name")) if ref.get("kind") == "Role" else None
        if role is not None and _role_allows(role, name):
            return True
    return False


def settings(env: dict, pod_spec: dict, namespace: str, view) -> tuple[bool, str]:
    name = env["APP_SETTINGS_CONFIGMAP"]
    account = pod_spec.get("serviceAccountName") or "default"
    base = "https://kubernetes.default.svc"
    url = f"{base}/api/v1/namespaces/{namespace}/configmaps/{name}"
    log = applog.line("INFO", f"reading settings from ConfigMap {namespace}/{name} via {base}")
    if pod_spec.get("automountServiceAccountToken") is False:
        path = "/var/run/secrets/kubernetes.io/serviceaccount/token"
        return False, applog.line("FATAL", f"no service account credentials: cannot read {path}: "
                                           "No such file or directory")
    if not may_get_configmap(view, namespace, account, name):
        return False, log + applog.line("FATAL", f"cannot read settings: GET {url}: 403 Forbidden: "
                                                 f"{forbidden_message(namespace, account, name)}")
    configmap = view.get("configmaps", name)
    if configmap is None:
        return False, log + applog.line("FATAL", f"cannot read settings: GET {url}: 404 Not Found: "
                                                 f'configmaps "{name}" not found')
    keys = ", ".join(sorted(configmap.get("data") or {})) or "no keys"
    return True, log + applog.line("INFO", f"settings loaded from ConfigMap {namespace}/{name}: {keys}")


# ------------------------------------------------------------------ probe timing

def _http_url(container: dict, probe: dict) -> str:
    http = probe.get("httpGet") or {}
    port = http.get("port", 8080)
    if isinstance(port, str) and not port.isdigit():
        named = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
        port = named.get(port, port)
    return f"http://{POD_IP}:{port}{http.get('path', '/')}"


def probe_failure(container: dict, key: str, env: dict) -> str:
    """Why the `key` probe fails over time for this env (warm-up, slow health), or ''."""
    probe = container.get(key) or {}
    if not probe.get("httpGet"):
        return ""
    url = _http_url(container, probe)
    warm_up = _seconds(env, "APP_WARM_UP_SECONDS")
    if warm_up and key == "livenessProbe":
        startup = container.get("startupProbe")
        if startup:
            budget = (startup.get("initialDelaySeconds", 0)
                      + startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3))
        else:
            budget = (probe.get("initialDelaySeconds", 0)
                      + probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3))
        if warm_up >= budget:
            target = url.split("/")[2]
            return f'Get "{url}": dial tcp {target}: connect: connection refused'
    if _seconds(env, "APP_HEALTH_DELAY_SECONDS") >= probe.get("timeoutSeconds", 1) and \
            (probe.get("httpGet") or {}).get("path") == "/healthz":
        return f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    return ""


def startup_log(env: dict) -> str:
    """Warm-up lines the app prints before it listens (progress every 5 s)."""
    warm_up = _seconds(env, "APP_WARM_UP_SECONDS")
    if not warm_up:
        return ""
    text = applog.line("INFO", f"warming up before serving (about {warm_up:g} s)")
    for done in range(5, int(warm_up), 5):
        text += applog.line("INFO", f"warming up: {done}/{warm_up:g} s")
    return text
