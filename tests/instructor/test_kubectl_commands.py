"""Every kubectl command the catalogue suggests, run with the real kubectl against the emulator,
as a workshop participant (the ServiceAccount-token kubeconfig `crashlab workshop prepare`
writes): it must exit 0 and show what the learner is told to look at."""

import os
import shutil
import subprocess

import pytest

from runner import placement as lab_placements
from runner.catalog import load_catalog, render_manifests
from tests.cli.helpers import run_cli
from tests.harness.fixtures import main_status, wait_for_pod

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no kubectl on PATH (make setup fetches one)")
CATALOG = load_catalog()
LAB = CATALOG.lab("lab-3")


@pytest.fixture
def participant(k8s_api, kubelet, tmp_path):
    """ada's kubeconfig, and every lab-3 scenario crash-looping in her namespaces."""
    names = tmp_path / "class.txt"
    names.write_text("ada\n")
    out = tmp_path / "kubeconfigs"
    result = run_cli("workshop", "prepare", "--participants", str(names), "--context",
                     k8s_api.context, "--out", str(out), environ=k8s_api.environ)
    assert result.code == 0, result.stderr
    admin = k8s_api.connect()
    for scenario in CATALOG.lab_scenarios(LAB.id):
        namespace = lab_placements.namespace_name("ada", scenario.slug)
        admin.apply(render_manifests(scenario, "broken", namespace=namespace, participant="ada"),
                    namespace)
    for scenario in CATALOG.lab_scenarios(LAB.id):
        wait_for_pod(admin, lab_placements.namespace_name("ada", scenario.slug),
                     lambda p: main_status(p).get("restartCount", 0) >= 1
                     and main_status(p).get("lastState", {}).get("terminated"))
    return out / "ada.kubeconfig"


def _kubectl(command: str, kubeconfig, watch: bool = False) -> tuple[int | None, str, str]:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(kubeconfig.parent)}
    argv = ["sh", "-c", "exec " + command]  # the command exactly as printed, quotes and all
    if not watch:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        return done.returncode, done.stdout, done.stderr
    # `get -w` follows until Ctrl-C: read what it printed in 2 s, then stop it
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        out, err = process.communicate(timeout=2)
        return process.returncode, out, err
    except subprocess.TimeoutExpired:
        process.terminate()
        out, err = process.communicate()
        return None, out, err


def test_the_catalogue_suggests_no_command_a_participant_or_kind_cannot_run():
    for scenario in CATALOG.scenarios.values():
        for command in scenario.investigate + scenario.targeted:
            assert command.startswith("kubectl ")
            assert " top " not in command, "no metrics-server on kind: kubectl top fails"
            assert "port-forward" not in command, "the participant Role grants no port-forward"
            assert " exec " not in command, "the participant Role grants no exec"


def test_each_suggested_command_works_for_a_participant(participant, k8s_api):
    ran = 0
    for scenario in CATALOG.lab_scenarios(LAB.id):
        for command in scenario.investigate + scenario.targeted:
            _check(scenario, command, participant, k8s_api)
            ran += 1
    assert ran >= 5 * 4 + 5 * 3


def _check(scenario, command, participant, k8s_api):
    namespace = lab_placements.namespace_name("ada", scenario.slug)
    line = command.replace("{namespace}", namespace)
    code, out, err = _kubectl(line, participant, watch=" -w" in line)
    if " -w" not in line:
        assert code == 0, f"{line}\n{err}"
    assert "forbidden" not in err.lower() and "error" not in err.lower(), f"{line}\n{err}"
    assert k8s_api.emulator.rbac.denied == []
    pod_prefix = f"{scenario.workload.name}-"
    verb = line.split()[1]
    if verb == "get" and " pods" in line and "-o" not in line.split():
        assert out.split()[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"], out
        assert pod_prefix in out
    elif verb == "describe":
        for field in ("Name:", "Namespace:", "Last State:", "Restart Count:", "Events:"):
            assert field in out, f"{line}: no {field}\n{out}"
    elif verb == "logs":
        # a process that was never started has written nothing: that is the clue
        assert bool(out.strip()) == (scenario.cause != "bad_command"), f"{line}: {out!r}"
    elif verb == "get" and "events" in line:
        assert out.split()[:5] == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT"], out
        assert f"pod/{pod_prefix}" in out
    elif "jsonpath" in line:
        assert out.strip().startswith(("{", "[")), f"{line}: {out!r}"
    elif verb == "rollout":
        assert "restarted" in out
