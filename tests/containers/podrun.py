"""Turn a rendered pod template's container into `docker run` arguments, as kubelet would start it.

A test harness for the container tier, not a product feature. It models what decides
whether a scenario's container starts, crashes or serves: command/args (with $(VAR)
expansion), env and envFrom from ConfigMaps, runAsUser/runAsGroup/supplementalGroups/
fsGroup as process groups, runAsNonRoot (checked against the image's USER), memory and
CPU limits, ConfigMap and emptyDir volumes (items, subPath, modes), workingDir,
readOnlyRootFilesystem, capabilities, and the HTTP GET targets of the probes.

Also modelled (for lab-3-plus): Secret volumes (data and stringData, items), a probe's
timeoutSeconds, init containers (run one after the other before the app container,
each must exit 0), picking one workload among several (`template=`), and a Service in
front of a second workload: runs.py resolves its name to the backend container when the
Service's selector matches that workload's pod labels, and to an address where nothing
listens when it selects no pods (kube-proxy rejects connections to a Service without
endpoints).

NOT modelled — a real cluster differs here:
- probe timing (initialDelay/period/failureThreshold) and the kill that follows
  failed liveness probes; the tier probes once, at the end of the window, and a startup
  probe only in that the probes run after it (the window must cover the warm-up);
- restarts, restartPolicy and the CrashLoopBackOff back-off (containers run once);
- image pull and imagePullPolicy; the exit code of exec failures (containerd reports
  StartError/128, Docker 127);
- fsGroup ownership changes on volumes, the downward API, projected and persistent
  volumes; the Kubernetes API only as kubeapi.py stands in for it: one ConfigMap GET,
  decided by the rendered Role/RoleBinding for the pod's ServiceAccount (plain HTTP,
  APP_API_URL pointed at it; without kube_api= such a pod raises NotModelled);
- sidecar containers, Service ports other than targetPort = the backend's port, DNS
  search paths, network policy, requests/QoS and node OOM.
Anything met here that is not modelled raises NotModelled instead of being ignored.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

POD_TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")


class NotModelled(Exception):
    """The pod spec uses something this harness does not translate to Docker."""


class KubeletWouldReject(Exception):
    """kubelet would not create the container (CreateContainerConfigError); says why."""


@dataclass(frozen=True)
class HttpProbe:
    kind: str  # liveness | readiness | startup
    path: str
    port: int
    timeout: float = 1.0  # timeoutSeconds (Kubernetes' default is 1)


@dataclass
class RunSpec:
    """Everything `docker run` needs for one container."""

    image: str
    entrypoint: str | None = None
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    group_add: list[int] = field(default_factory=list)
    memory: int | None = None
    cpus: str | None = None
    mounts: list[tuple[Path, str, bool]] = field(default_factory=list)  # source, target, ro
    workdir: str | None = None
    read_only: bool = False
    privileged: bool = False
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    probes: list[HttpProbe] = field(default_factory=list)

    def docker_args(self, *, name: str, labels: dict[str, str], network: str) -> list[str]:
        """`docker run -d ...` argument list (without the `docker` itself)."""
        out = ["run", "-d", "--name", name, "--network", network, "--restart", "no"]
        for key, value in labels.items():
            out += ["--label", f"{key}={value}"]
        if self.entrypoint is not None:
            out += ["--entrypoint", self.entrypoint]
        for key, value in self.env.items():
            out += ["--env", f"{key}={value}"]
        if self.user is not None:
            out += ["--user", self.user]
        for gid in self.group_add:
            out += ["--group-add", str(gid)]
        if self.memory is not None:
            # Equal swap limit: no swap, like kubelet (otherwise Docker allows 2x the limit).
            out += ["--memory", str(self.memory), "--memory-swap", str(self.memory)]
        if self.cpus is not None:
            out += ["--cpus", self.cpus]
        for source, target, read_only in self.mounts:
            spec = f"type=bind,source={source},target={target}"
            out += ["--mount", spec + (",readonly" if read_only else "")]
        if self.workdir:
            out += ["--workdir", self.workdir]
        if self.read_only:
            out.append("--read-only")
        if self.privileged:
            out.append("--privileged")
        out += [f"--cap-add={c}" for c in self.cap_add]
        out += [f"--cap-drop={c}" for c in self.cap_drop]
        return [*out, self.image, *self.args]


_QUANTITY = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIX = {
    None: Fraction(1), "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
    "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
    "P": Fraction(10**15), "E": Fraction(10**18),
    "Ki": Fraction(2**10), "Mi": Fraction(2**20), "Gi": Fraction(2**30), "Ti": Fraction(2**40),
    "Pi": Fraction(2**50), "Ei": Fraction(2**60),
}


def parse_quantity(text: str | int | float) -> Fraction:
    """A Kubernetes resource quantity ('128Mi', '0.5Gi', '500m', '1e3', 64) as an exact number."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    number, suffix = match.groups()
    return Fraction(number) * _SUFFIX[suffix]


def parse_memory(text: str | int) -> int:
    """Memory quantity in bytes, rounded up like the API server does."""
    value = parse_quantity(text)
    return -(-value.numerator // value.denominator)


def pod_template(objects: list[dict], name: str | None = None) -> dict:
    """The pod spec of the single workload (or bare Pod) among rendered objects, or of the
    workload called `name` when there are several."""
    specs = []
    for obj in objects:
        if name is not None and obj.get("metadata", {}).get("name") != name:
            continue
        if obj.get("kind") == "Pod":
            specs.append(obj["spec"])
        elif obj.get("kind") in POD_TEMPLATE_KINDS:
            specs.append(obj["spec"]["template"]["spec"])
    if len(specs) != 1:
        raise NotModelled(f"expected one pod template among the objects, found {len(specs)}")
    return specs[0]


def workloads(objects: list[dict]) -> list[dict]:
    """The objects with a pod template, in manifest order."""
    return [o for o in objects if o.get("kind") in POD_TEMPLATE_KINDS]


_VAR_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes $(VAR) expansion: defined names are replaced, $$ escapes, others stay."""
    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1), match.group(0))
    return _VAR_REF.sub(replace, str(text))


def _configmap(configmaps: dict[str, dict], name: str, optional: bool, what: str) -> dict | None:
    found = configmaps.get(name)
    if found is None and not optional:
        raise KubeletWouldReject(f'{what}: configmap "{name}" not found')
    return found


def _configmap_files(cm: dict) -> dict[str, bytes]:
    files = {k: str(v).encode() for k, v in (cm.get("data") or {}).items()}
    files.update({k: base64.b64decode(v) for k, v in (cm.get("binaryData") or {}).items()})
    return files


def _container_env(container: dict, configmaps: dict[str, dict]) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        if "configMapRef" not in source:
            raise NotModelled(f"envFrom source {sorted(source)}")
        ref = source["configMapRef"]
        cm = _configmap(configmaps, ref["name"], ref.get("optional", False), "envFrom")
        for key, value in ((cm or {}).get("data") or {}).items():
            env[source.get("prefix", "") + key] = str(value)
    for var in container.get("env") or []:
        name = var["name"]
        if "valueFrom" not in var:
            env[name] = expand(var.get("value", ""), env)
            continue
        source = var["valueFrom"]
        if "configMapKeyRef" not in source:
            raise NotModelled(f"env {name} valueFrom {sorted(source)}")
        ref = source["configMapKeyRef"]
        optional = ref.get("optional", False)
        cm = _configmap(configmaps, ref["name"], optional, f"env {name}")
        data = (cm or {}).get("data") or {}
        if ref["key"] in data:
            env[name] = str(data[ref["key"]])
        elif cm is not None and not optional:
            raise KubeletWouldReject(
                f'env {name}: key "{ref["key"]}" not found in configmap "{ref["name"]}"')
    return env


def _is_root(image_user: str) -> bool:
    return image_user.split(":", 1)[0] in ("", "0", "root")


def _user(pod: dict, container: dict, image_user: str) -> str | None:
    pod_sc = pod.get("securityContext") or {}
    sc = container.get("securityContext") or {}
    uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
    gid = sc.get("runAsGroup", pod_sc.get("runAsGroup"))
    if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")):
        if uid is not None and int(uid) == 0:
            raise KubeletWouldReject("container's runAsUser breaks non-root policy")
        if uid is None:
            image_uid = image_user.split(":", 1)[0]
            if image_uid and not image_uid.isdigit():
                raise KubeletWouldReject(
                    f"image has non-numeric user ({image_uid}), cannot verify user is non-root")
            if _is_root(image_user):
                raise KubeletWouldReject("container has runAsNonRoot and image will run as root")
    if uid is None and gid is None:
        return None  # the image's USER applies, as with kubelet
    user = str(uid) if uid is not None else (image_user.split(":", 1)[0] or "0")
    # Without runAsGroup both runtimes take the primary group from the image's /etc/passwd.
    return f"{user}:{gid}" if gid is not None else user


def _groups(pod: dict) -> list[int]:
    pod_sc = pod.get("securityContext") or {}
    groups = [int(g) for g in pod_sc.get("supplementalGroups") or []]
    if pod_sc.get("fsGroup") is not None:
        groups.append(int(pod_sc["fsGroup"]))  # the process joins it; volume chown is not modelled
    return groups


def _write_configmap_volume(volume: dict, cm: dict | None, target: Path) -> None:
    spec = volume["configMap"]
    target.mkdir(parents=True)
    target.chmod(0o755)
    files = _configmap_files(cm or {})
    default_mode = spec.get("defaultMode", 0o644)
    items = spec.get("items")
    wanted = [(i["key"], i["path"], i.get("mode", default_mode)) for i in items] if items else \
        [(key, key, default_mode) for key in files]
    for key, rel, mode in wanted:
        if key not in files:
            if spec.get("optional"):
                continue
            raise KubeletWouldReject(
                f'volume {volume["name"]}: key "{key}" not in configmap "{spec["name"]}"')
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[key])
        path.chmod(mode)


def _secret_files(secret: dict) -> dict[str, bytes]:
    files = {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}
    files.update({k: str(v).encode() for k, v in (secret.get("stringData") or {}).items()})
    return files


def _write_secret_volume(volume: dict, secret: dict | None, target: Path) -> None:
    spec = volume["secret"]
    if secret is None and not spec.get("optional"):
        # kubelet: the pod stays ContainerCreating with FailedMount events
        raise KubeletWouldReject(f'volume {volume["name"]}: secret "{spec["secretName"]}" not found')
    as_configmap = {"name": volume["name"], "configMap": {
        "name": spec["secretName"], "items": spec.get("items"), "optional": spec.get("optional"),
        "defaultMode": spec.get("defaultMode", 0o644)}}
    _write_configmap_volume(as_configmap, {"binaryData": {
        k: base64.b64encode(v).decode() for k, v in _secret_files(secret or {}).items()}}, target)


def _mounts(pod: dict, container: dict, configmaps: dict[str, dict], files_dir: Path,
            secrets: dict[str, dict] | None = None):
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    prepared: dict[str, Path] = {}
    mounts = []
    for mount in container.get("volumeMounts") or []:
        volume = volumes.get(mount["name"])
        if volume is None:
            raise KubeletWouldReject(f'volumeMount {mount["name"]}: no such volume in the pod')
        source = prepared.get(volume["name"])
        if source is None:
            source = files_dir / volume["name"]
            if "configMap" in volume:
                ref = volume["configMap"]
                cm = _configmap(configmaps, ref["name"], ref.get("optional", False),
                                f'volume {volume["name"]}')
                _write_configmap_volume(volume, cm, source)
            elif "secret" in volume:
                _write_secret_volume(volume, (secrets or {}).get(volume["secret"]["secretName"]),
                                     source)
            elif "emptyDir" in volume:
                source.mkdir(parents=True)
                source.chmod(0o777)  # kubelet creates emptyDir world-writable
            else:
                kinds = sorted(set(volume) - {"name"})
                raise NotModelled(f'volume {volume["name"]} of type {kinds}')
            prepared[volume["name"]] = source
        read_only = bool(mount.get("readOnly")) or "configMap" in volume or "secret" in volume
        if mount.get("subPath"):
            sub = source / mount["subPath"]
            if "emptyDir" in volume:
                sub.mkdir(parents=True, exist_ok=True)
                sub.chmod(0o777)
            elif not sub.exists():
                raise NotModelled(
                    f'subPath {mount["subPath"]} missing from volume {volume["name"]}')
            source = sub
        mounts.append((source, mount["mountPath"], read_only))
    return mounts


def _probes(container: dict) -> list[HttpProbe]:
    ports = {p["name"]: p["containerPort"] for p in container.get("ports") or [] if "name" in p}
    probes = []
    for kind in ("liveness", "readiness", "startup"):
        probe = container.get(f"{kind}Probe")
        if not probe:
            continue
        http = probe.get("httpGet")
        if http is None or http.get("scheme", "HTTP") != "HTTP" or http.get("host"):
            raise NotModelled(f"{kind}Probe other than a plain HTTP GET: {sorted(probe)}")
        port = http["port"]
        if isinstance(port, str) and not port.isdigit():
            if port not in ports:
                raise KubeletWouldReject(f"{kind}Probe: no container port named {port!r}")
            port = ports[port]
        probes.append(HttpProbe(kind, http.get("path", "/"), int(port),
                                float(probe.get("timeoutSeconds", 1))))
    return probes


def build_run_spec(objects: list[dict], files_dir: Path, *, image_user: str = "",
                   template: str | None = None, init: int | None = None,
                   probes: bool = True, kube_api: str | None = None) -> RunSpec:
    """The RunSpec for the (single) container of the pod template among `objects`.

    `files_dir` receives ConfigMap/Secret volume files and emptyDir directories;
    `image_user` is the image's USER (for runAsNonRoot and runAsGroup-only specs);
    `template` names the workload when there are several; `init` picks that init
    container instead of the app container; `probes=False` leaves the probes out (a
    backend, whose TCP readiness runs.py checks by connecting to its port); `kube_api`
    is the URL of the stand-in API (kubeapi.py) for a pod that reads through the API.
    """
    pod = pod_template(objects, template)
    if len(pod.get("containers") or []) != 1:
        raise NotModelled("pods with more than one container")
    container = pod["initContainers"][init] if init is not None else pod["containers"][0]
    reads_api = "serviceAccountName" in pod or any(
        e.get("name") == "APP_SETTINGS_CONFIGMAP" for e in container.get("env") or [])
    if reads_api and kube_api is None:
        raise NotModelled("a pod that reads through the Kubernetes API (ServiceAccount token) "
                          "without the stand-in API (kube_api=)")
    configmaps = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "ConfigMap"}
    secrets = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Secret"}

    env = _container_env(container, configmaps)
    if reads_api:
        env["APP_API_URL"] = kube_api  # where KUBERNETES_SERVICE_HOST would point
    command = [expand(c, env) for c in container.get("command") or []]
    args = [expand(a, env) for a in container.get("args") or []]
    # k8s `command` replaces ENTRYPOINT (and drops CMD); `args` replaces CMD.
    spec = RunSpec(image=container["image"], env=env)
    if command:
        spec.entrypoint, spec.args = command[0], command[1:] + args
    else:
        spec.args = args

    sc = container.get("securityContext") or {}
    spec.user = _user(pod, container, image_user)
    spec.group_add = _groups(pod)
    spec.read_only = bool(sc.get("readOnlyRootFilesystem"))
    spec.privileged = bool(sc.get("privileged"))
    caps = sc.get("capabilities") or {}
    spec.cap_add, spec.cap_drop = list(caps.get("add") or []), list(caps.get("drop") or [])

    limits = (container.get("resources") or {}).get("limits") or {}
    if "memory" in limits:
        spec.memory = parse_memory(limits["memory"])
    if "cpu" in limits:
        spec.cpus = f"{float(parse_quantity(limits['cpu'])):g}"

    spec.mounts = _mounts(pod, container, configmaps, files_dir / (container["name"] if init is not None
                                                                  else ""), secrets)
    spec.workdir = container.get("workingDir")
    spec.probes = _probes(container) if probes else []
    return spec
