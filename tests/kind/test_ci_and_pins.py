"""CI, README and preflight quote the one place for pins, and the e2e job cannot pass
with its tests skipped."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from runner.kind import versions

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "e2e.yml"


def steps() -> dict[str, dict]:
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["cluster"]
    return {step.get("name", ""): step for step in job["steps"]}


def test_the_e2e_step_turns_a_skip_into_a_failure():
    [e2e] = [s for name, s in steps().items() if "pytest -m cluster" in s.get("run", "")]
    assert e2e["env"]["CRASHLAB_REQUIRE_CLUSTER"] == "1"
    assert e2e["env"]["CRASHLAB_E2E_CONTEXT"] == "kind-crashlab"


def test_the_failure_step_lists_events_per_lab_namespace_not_by_label():
    [state] = [s for s in steps().values() if s.get("if") == "failure()"]
    script = state["run"]
    assert "kubectl get namespaces -l app.kubernetes.io/managed-by=crashlab -o name" in script
    assert 'kubectl get events -n "$ns"' in script
    assert not re.search(r"get [a-z,]*events[^\n]* -l ", script)


def test_ci_takes_kind_and_kubectl_from_the_pins_not_from_its_own_versions():
    text = WORKFLOW.read_text()
    assert "crashlab cluster up --yes" in text
    assert not re.search(r"v0\.\d+\.\d+|v1\.\d+\.\d+", text)  # no version written twice


def test_versions_module_prints_the_pins_for_shell_use():
    done = subprocess.run([sys.executable, "-m", "runner.kind.versions"], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    assert done.stdout.splitlines() == [f"KIND_VERSION={versions.KIND_VERSION}",
                                        f"KUBECTL_VERSION={versions.KUBECTL_VERSION}",
                                        f"NODE_IMAGE={versions.NODE_IMAGE}"]


def test_the_readme_quotes_the_pins():
    readme = (ROOT / "README.md").read_text()
    for pin in (versions.KIND_VERSION, versions.KUBECTL_VERSION, versions.KIND_MINIMUM,
                versions.NODE_IMAGE.split("@")[0]):
        assert pin in readme, pin
    assert "0.20+" not in readme


def test_kubectl_is_within_one_minor_of_the_node_image():
    node_minor = versions.version_tuple(versions.KUBERNETES_VERSION)[1]
    assert abs(versions.version_tuple(versions.KUBECTL_VERSION)[1] - node_minor) <= 1
    assert versions.NODE_IMAGE.startswith(f"kindest/node:{versions.KUBERNETES_VERSION}@sha256:")
    assert versions.SUPPORTED_MINORS[-1] == ".".join(versions.KUBERNETES_VERSION[1:].split(".")[:2])


def _e2e(tmp_path, **extra):
    dead = tmp_path / "kubeconfig"
    dead.write_text("apiVersion: v1\nkind: Config\ncurrent-context: kind-crashlab\n"
                    "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
                    "contexts: [{name: kind-crashlab, context: {cluster: c, user: u}}]\n"
                    "users: [{name: u, user: {token: t}}]\n")
    environ = {key: value for key, value in os.environ.items()
               if key != "CRASHLAB_REQUIRE_CLUSTER"}
    environ.update(KUBECONFIG=str(dead), CRASHLAB_E2E_CONTEXT="kind-crashlab", **extra)
    return subprocess.run([sys.executable, "-m", "pytest", "-m", "cluster", "tests/e2e", "-q",
                           "-ra", "-p", "no:cacheprovider", "-x"],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)


def test_e2e_without_a_cluster_skips_visibly_but_fails_when_required(tmp_path):
    skipped, required = _e2e(tmp_path), _e2e(tmp_path, CRASHLAB_REQUIRE_CLUSTER="1")

    assert skipped.returncode == 0 and "SKIPPED" in skipped.stdout, skipped.stdout
    assert required.returncode == 1, required.stdout
    assert "cluster tier required (CRASHLAB_REQUIRE_CLUSTER=1) but no reachable cluster" \
        in required.stdout
