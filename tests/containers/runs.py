"""Run one pod template's container under Docker for a window and record an Outcome.

Probes are sent from inside the container (`docker exec` of a python3 one-liner), so
they work with `--network none` and on any engine, local or remote. The lab app listens
on 0.0.0.0, so its loopback answer is the one kubelet would get on the pod IP.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.containers import kubeapi
from tests.containers.engine import Engine
from tests.containers.outcome import Outcome, ProbeResult
from tests.containers.podrun import NotModelled, RunSpec, build_run_spec, pod_template, workloads

SESSION_LABEL = "crashlab.test/session"
LABELS = {"app.kubernetes.io/managed-by": "crashlab-tests"}
APP_HEALTHZ = "/healthz"  # the lab app contract (docs/DEVELOPING.md)
DEFAULT_GRACE_SECONDS = 30
APP_HEALTHZ_TIMEOUT = 5.0  # generous: the app's own health, however slow, not the probe's verdict
BACKEND_READY_SECONDS = 20

_GET = (
    "import sys, urllib.request, urllib.error\n"
    "try:\n"
    "    print(urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])).status)\n"
    "except urllib.error.HTTPError as e:\n"
    "    print(e.code)\n"
    "except Exception as e:\n"
    "    print('error:', e)\n"
)


@dataclass
class Job:
    """One container to run: the rendered objects and how long to watch it."""

    key: str
    objects: list[dict]
    window_seconds: float
    workload: str | None = None  # the workload under test when the objects hold several


def probe_get(engine: Engine, name: str, kind: str, path: str, port: int,
              attempts: int = 3, timeout: float = 2.0) -> ProbeResult:
    """HTTP GET http://127.0.0.1:PORT/PATH from inside the container `name`, waiting up to
    `timeout` s for the answer (a probe's timeoutSeconds)."""
    url = f"http://127.0.0.1:{port}{path}"
    answer = ""
    for attempt in range(attempts):
        proc = engine.run("exec", name, "python3", "-c", _GET, url, str(timeout), check=False,
                          timeout=20 + timeout)
        lines = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
        answer = lines[-1] if lines else f"docker exec exited {proc.returncode}"
        if answer.isdigit():
            return ProbeResult(kind, path, port, int(answer))
        if "timed out" in answer:
            break  # it answered too slowly: asking again would only time out again
        if attempt + 1 < attempts:
            time.sleep(0.5)  # not listening yet: kubelet would simply probe again later
    return ProbeResult(kind, path, port, None, answer)


def _wait_exit(engine: Engine, name: str, seconds: float) -> bool:
    """True when the container exited within `seconds` (`docker wait` blocks until exit)."""
    try:
        engine.run("wait", name, timeout=max(seconds, 0.1))
        return True
    except subprocess.TimeoutExpired:
        # On a loaded machine the `docker wait` client itself can miss the deadline: ask the
        # engine whether the process is still there rather than trusting the timer alone.
        return not engine.inspect(name)["State"]["Running"]


def _selected(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _start_backends(engine: Engine, job: Job, files: Path, image_user: str, labels: dict):
    """Start the other workloads; return (network for the app container, /etc/hosts text).

    A Service resolves to 127.0.0.1 in the app's network namespace: shared with the backend
    its selector matches (so the port answers), or a namespace of its own when it selects
    nothing (so the connection is refused, as kube-proxy rejects it).
    """
    others = [w for w in workloads(job.objects) if w["metadata"]["name"] != job.workload]
    services = [o for o in job.objects if o.get("kind") == "Service"]
    hosts = "127.0.0.1\tlocalhost\n"
    network = "none"
    for service in services:
        hosts += f"127.0.0.1\t{service['metadata']['name']}\n"
        selector = (service.get("spec") or {}).get("selector") or {}
        for workload in others:
            template = workload["spec"]["template"]
            if not _selected(selector, (template.get("metadata") or {}).get("labels") or {}):
                continue
            name = f"crashlab-{job.key}-{workload['metadata']['name']}-{uuid.uuid4().hex[:6]}"
            spec = build_run_spec(job.objects, files / workload["metadata"]["name"],
                                  image_user=image_user, template=workload["metadata"]["name"],
                                  probes=False)
            ports = {p.get("name"): p["containerPort"] for p in template["spec"]["containers"][0]
                     .get("ports") or []}
            for port in service["spec"].get("ports") or []:
                target = port.get("targetPort", port["port"])
                if ports.get(target, target) != port["port"]:
                    raise NotModelled("a Service whose port differs from its target port")
            engine.run(*spec.docker_args(name=name, labels=labels, network="none"), timeout=120)
            _wait_listening(engine, name, next(iter(ports.values()), 8080))
            network = f"container:{name}"
    if network == "none" and not services and others:
        raise NotModelled("several workloads without a Service between them")
    return network, hosts


def _wait_listening(engine: Engine, name: str, port: int) -> None:
    check = ("import socket, sys\nsocket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)")
    deadline = time.monotonic() + BACKEND_READY_SECONDS
    while engine.run("exec", name, "python3", "-c", check, str(port), check=False,
                     timeout=20).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"backend {name} not listening on {port} after "
                               f"{BACKEND_READY_SECONDS}s")
        time.sleep(0.3)


def _start_kube_api(engine: Engine, job: Job, pod: dict, configmap: str, files: Path,
                    image_user: str, labels: dict) -> tuple[str, str]:
    """Start the stand-in API next to the app; return (the app's network, the API URL)."""
    namespace = job.objects[0]["metadata"].get("namespace", "default")
    answers, script, _ = kubeapi.prepare(job.objects, pod, namespace, configmap, files / "kubeapi")
    name = f"crashlab-{job.key}-kubeapi-{uuid.uuid4().hex[:6]}"
    image = pod["containers"][0]["image"]
    args = ["run", "-d", "--name", name, "--network", "none", "--restart", "no"]
    for key, value in labels.items():
        args += ["--label", f"{key}={value}"]
    args += ["--mount", f"type=bind,source={files / 'kubeapi'},target=/kubeapi,readonly",
             "--entrypoint", "python3", image, "/kubeapi/" + script.name,
             "/kubeapi/" + answers.name, str(kubeapi.PORT)]
    engine.run(*args, timeout=120)
    _wait_listening(engine, name, kubeapi.PORT)
    return f"container:{name}", f"http://127.0.0.1:{kubeapi.PORT}"


def _run_init_containers(engine: Engine, job: Job, pod: dict, files: Path, image_user: str,
                         labels: dict, outcome: Outcome) -> bool:
    """Run each init container to its end, in order; False when one did not exit 0."""
    for index, init in enumerate(pod.get("initContainers") or []):
        spec = build_run_spec(job.objects, files, image_user=image_user, template=job.workload,
                              init=index)
        name = f"crashlab-{job.key}-init-{index}-{uuid.uuid4().hex[:6]}"
        engine.run(*spec.docker_args(name=name, labels=labels, network="none"), timeout=120)
        engine.run("wait", name, timeout=120)
        code = engine.inspect(name)["State"]["ExitCode"]
        outcome.init_exit_codes[init["name"]] = code
        if code != 0:
            return False
    return True


def run_job(engine: Engine, job: Job, session: str, files_root: Path, image_user: str) -> Outcome:
    """Start the job's container detached, watch it for its window, probe it, record the outcome."""
    files = files_root / job.key
    files.mkdir(parents=True)
    pod = pod_template(job.objects, job.workload)
    labels = {**LABELS, SESSION_LABEL: session}
    network = "none"
    configmap = kubeapi.reads_through_api(pod["containers"][0])
    api_url = None
    if configmap:
        if len(workloads(job.objects)) > 1:
            raise NotModelled("a pod that reads through the API and has a backend")
        network, api_url = _start_kube_api(engine, job, pod, configmap, files, image_user, labels)
    spec: RunSpec = build_run_spec(job.objects, files, image_user=image_user, template=job.workload,
                                   kube_api=api_url)
    if configmap:
        spec.mounts.append((files / "kubeapi" / "serviceaccount", kubeapi.SA_MOUNT, True))
    outcome = Outcome(container=pod["containers"][0]["name"], window_seconds=job.window_seconds)
    name = f"crashlab-{job.key}-{uuid.uuid4().hex[:6]}"
    if len(workloads(job.objects)) > 1:
        network, hosts = _start_backends(engine, job, files, image_user, labels)
        hosts_file = files / "etc-hosts"
        hosts_file.write_text(hosts)
        hosts_file.chmod(0o644)
        spec.mounts.append((hosts_file, "/etc/hosts", True))
    if not _run_init_containers(engine, job, pod, files, image_user, labels, outcome):
        return outcome  # kubelet would show Init:Error and never start the app container

    launch = engine.run(*spec.docker_args(name=name, labels=labels, network=network),
                        check=False, timeout=120)
    # `docker run -d` returns once the process is started: the window counts from here, so a
    # slow, busy engine does not eat into it.
    started_at = time.monotonic()
    found = engine.run("inspect", name, check=False)
    if found.returncode != 0:  # not even created: a bad flag, a missing image...
        raise RuntimeError(f"docker run for {job.key} failed: {launch.stderr.strip()}")
    state = json.loads(found.stdout)[0]["State"]
    if state["Status"] == "created":  # the process never ran: runc could not exec it
        outcome.exit_code = state["ExitCode"] or launch.returncode
        outcome.start_error = state.get("Error") or launch.stderr.strip()
        return outcome
    outcome.started = True

    remaining = job.window_seconds - (time.monotonic() - started_at)
    outcome.running_after_window = not _wait_exit(engine, name, remaining)
    if outcome.running_after_window:
        outcome.probes = [probe_get(engine, name, p.kind, p.path, p.port, timeout=p.timeout)
                          for p in spec.probes]
        port = next((p.port for p in spec.probes), 8080)
        outcome.probes.append(probe_get(engine, name, "healthz", APP_HEALTHZ, port,
                                        timeout=APP_HEALTHZ_TIMEOUT))
        liveness = outcome.probe("liveness")
        if liveness is not None and not liveness.ok:
            # kubelet kills a container whose liveness probe fails: stop signal, grace, SIGKILL.
            grace = pod.get("terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS)
            engine.run("stop", "--time", str(grace), name, timeout=grace + 30)
            outcome.killed_for_liveness = True

    state = engine.inspect(name)["State"]
    if not state["Running"]:
        outcome.exit_code = state["ExitCode"]
        outcome.oom_killed = bool(state["OOMKilled"])
    logs = engine.run("logs", name, check=False, timeout=30)
    outcome.logs = logs.stdout + logs.stderr
    return outcome


def image_user(engine: Engine, image: str) -> str:
    """The image's USER (empty for root), which applies when the pod sets no runAsUser."""
    found = engine.run("image", "inspect", "--format", "{{json .Config.User}}", image)
    return json.loads(found.stdout)


def remove_session_containers(engine: Engine, session: str) -> None:
    """Remove every container this session labelled, whatever state it is in."""
    listing = engine.run("ps", "-aq", "--filter", f"label={SESSION_LABEL}={session}", check=False)
    ids = listing.stdout.split()
    if ids:
        engine.run("rm", "-f", "-v", *ids, check=False, timeout=120)


def remove_orphans(engine: Engine, is_alive) -> None:
    """Remove test containers left by sessions on this machine whose process is gone."""
    managed_by = "app.kubernetes.io/managed-by"
    listing = engine.run("ps", "-a", "--filter", f"label={managed_by}={LABELS[managed_by]}",
                         "--format", '{{.ID}} {{.Label "%s"}}' % SESSION_LABEL, check=False).stdout
    orphans = []
    for line in listing.splitlines():
        container_id, _, session = line.partition(" ")
        pid = session.split("-", 1)[0]  # sessions are named "<pid>-<random>"
        if pid.isdigit() and not is_alive(int(pid)):
            orphans.append(container_id)
    if orphans:
        engine.run("rm", "-f", "-v", *orphans, check=False, timeout=120)
