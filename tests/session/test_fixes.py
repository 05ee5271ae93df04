"""The fix stage: wrong fixes refused by each guard, broken files refused before applying."""

import pytest

from tests.session.helpers import CATALOG, Lab, container, heading, namespace, pod_spec


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def _drop_memory_limit(objects):
    del container(objects)["resources"]["limits"]


def _huge_memory_limit(objects):
    container(objects)["resources"]["limits"]["memory"] = "1Gi"


def _smaller_working_set(objects):
    env = container(objects)["env"]
    next(v for v in env if v["name"] == "APP_WORKING_SET_MB")["value"] = "16"
    container(objects)["resources"]["limits"]["memory"] = "48Mi"


def _shell_wrapper(objects):
    container(objects)["command"] = ["/bin/sh", "-c", "lab-app"]


def _unwired(objects):
    app = container(objects)
    app["env"] = [v for v in app["env"] if v["name"] != "APP_CONFIG_FILE"]


def _http_backend(objects):
    config = next(o for o in objects if o["kind"] == "ConfigMap")
    config["data"]["application.properties"] = config["data"]["application.properties"].replace(
        "backend.url=postgres://", "backend.url=http://")


def _run_as_root(objects):
    pod_spec(objects)["securityContext"] = {"runAsUser": 0}


def _privileged(objects):
    container(objects)["securityContext"] = {"privileged": True}


def _no_probe(objects):
    del container(objects)["livenessProbe"]


def _sleepy_probe(objects):
    container(objects)["livenessProbe"]["initialDelaySeconds"] = 3600


WRONG_FIXES = [
    ("bad-command", "runs-the-app", _shell_wrapper, "spec.containers[app].command"),
    ("oom-killed", "memory-limit-kept", _drop_memory_limit,
     "spec.containers[app].resources.limits: got <missing>"),
    ("oom-killed", "memory-limit-sized", _huge_memory_limit,
     "spec.containers[app].resources.limits.memory: got 1Gi, want <= 512Mi"),
    ("oom-killed", "working-set-kept", _smaller_working_set,
     "spec.containers[app].env[APP_WORKING_SET_MB].value: got 16, want >= 96"),
    ("invalid-app-config", "still-wired", _unwired,
     "spec.containers[app].env[APP_CONFIG_FILE]: got <missing>, want present"),
    ("invalid-app-config", "backend-configured", _http_backend,
     "data.application.properties: got"),
    ("invalid-user", "still-non-root", _run_as_root, "spec"),
    ("invalid-user", "not-privileged", _privileged, "spec.containers[app].securityContext"),
    ("failing-liveness-probe", "probe-kept", _no_probe,
     "spec.containers[app].livenessProbe: got <missing>, want a mapping"),
    ("failing-liveness-probe", "probe-still-watching", _sleepy_probe,
     "initialDelaySeconds: got 3600"),
]


def test_every_guard_has_a_wrong_fix():
    covered = {(scenario, guard) for scenario, guard, _, _ in WRONG_FIXES}
    assert covered == {(s.id, g.id) for s in CATALOG.lab_scenarios("lab-3") for g in s.guards}


@pytest.mark.parametrize("scenario_id, guard_id, edit, mismatch", WRONG_FIXES,
                         ids=[f"{s}:{g}" for s, g, _, _ in WRONG_FIXES])
def test_wrong_fix_is_refused(lab, scenario_id, guard_id, edit, mismatch):
    path = lab.write_fix(scenario_id, edit)
    written = path.read_text()

    result = lab.run("--only", scenario_id)

    assert result.code == 1, result.stdout + result.stderr
    guard = next(g for g in CATALOG.scenario(scenario_id).guards if g.id == guard_id)
    assert "Not fixed yet:" in result.stdout
    assert f"not allowed: {guard.says}" in result.stdout
    assert mismatch in result.stdout
    assert f"crashlab: error: {heading(scenario_id)} is not fixed yet: edit {path}" in result.stderr
    assert path.read_text() == written, "the learner's file is never rewritten"
    entry = lab.entry(scenario_id)
    assert entry["status"] == "fixing" and entry["verification"] is None


def test_right_fix_from_the_workspace_is_verified(lab):
    lab.write_fix("oom-killed", lambda objects: None)
    result = lab.run("--only", "oom-killed")
    assert result.code == 0, result.stderr
    entry = lab.entry("oom-killed")
    assert entry["status"] == "verified" and entry["fixAppliedBy"] == "workspace"
    assert entry["solutionRevealed"] is False


def test_unedited_file_shows_the_mismatches(lab):
    result = lab.run("--only", "oom-killed")
    assert result.code == 1
    assert "status.containerStatuses[app].ready: got False, want True" in result.stdout


def _deployment_writes(api) -> int:
    """Writes to Deployments by anyone but the kubelet (which only PATCHes /status)."""
    return sum(1 for r in api.emulator.requests if "/deployments" in r.path
               and r.method in ("POST", "PUT", "PATCH") and not r.path.endswith("/status"))


@pytest.mark.parametrize("breakage, message", [
    (lambda text: text.replace("          env:\n", "          env:\n   - oops: [\n", 1),
     r"not valid YAML"),
    (lambda text: text.replace("imagePullPolicy:", "imagePullPolicyy:", 1),
     r"unknown field 'imagePullPolicyy'"),
], ids=["yaml", "schema"])
def test_broken_workspace_file_is_not_applied(lab, k8s_api, breakage, message):
    import re

    first = lab.run("--only", "oom-killed")  # deploys and copies the broken manifest
    assert first.code == 1
    path = lab.workspace_file("oom-killed")
    broken = breakage(path.read_text())
    path.write_text(broken)
    writes = _deployment_writes(k8s_api)

    result = lab.run("--only", "oom-killed")

    assert result.code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert re.match(rf"crashlab: error: {re.escape(str(path))}:\d+: .*{message}", line), line
    assert _deployment_writes(k8s_api) == writes, "nothing was applied"
    assert path.read_text() == broken


def test_workspace_file_that_is_not_text_is_named_and_not_applied(lab, k8s_api):
    path = lab.write_fix("oom-killed", lambda objects: None)
    data = path.read_bytes()
    path.write_bytes(data + "# Zoë\n".encode("latin-1"))  # saved by an editor set to Latin-1
    at = len(data) + len("# Zo")
    writes = _deployment_writes(k8s_api)
    result = lab.run("--only", "oom-killed")
    assert (result.code, result.stderr) == (2, f"crashlab: error: {path}: not a text file (byte "
                                               f"{at} is not UTF-8): save it as UTF-8 YAML text, "
                                               "or choose Reveal the solution\n")
    assert _deployment_writes(k8s_api) == writes + 1  # only the pre-warm's create


def test_object_for_another_namespace_is_refused(lab, k8s_api):
    path = lab.write_fix("oom-killed", lambda objects: objects[0]["metadata"].update(
        namespace="kube-system"))
    writes = _deployment_writes(k8s_api)
    result = lab.run("--only", "oom-killed")
    assert result.code == 2
    assert f"names namespace kube-system; this scenario only applies into " \
           f"{namespace('oom-killed')}" in result.stderr
    assert _deployment_writes(k8s_api) == writes + 1  # only the pre-warm's create
    assert path.exists()
