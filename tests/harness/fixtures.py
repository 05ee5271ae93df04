"""pytest fixtures for tests that talk to the API emulator; import them into a conftest.py:

    from tests.harness.fixtures import k8s_api, kubelet  # noqa: F401
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from .apiserver import Emulator, Server
from .kubeconfig import write_kubeconfig
from .kubelet import Kubelet
from .wording import DEFAULT_MINOR, WORDINGS, server_version

CONTEXT = "kind-crashlab-test"
TIME_SCALE = 0.02  # a 10 s back-off takes 0.2 s


@dataclass
class K8sApi:
    """A running emulator: its URL, a kubeconfig whose current context points at it,
    and the emulator itself for assertions (requests, open watches) and fault injection."""

    url: str
    kubeconfig: Path
    context: str
    emulator: Emulator
    server: Server

    @property
    def environ(self) -> dict[str, str]:
        """Environment for running the CLI against the emulator."""
        return {"KUBECONFIG": str(self.kubeconfig)}

    def connect(self):
        from runner.cluster import connect

        return connect(self.context, str(self.kubeconfig))


@pytest.fixture
def k8s_api(tmp_path):
    emulator = Emulator()
    server = emulator.serve()
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server.url, CONTEXT)
    yield K8sApi(server.url, kubeconfig, CONTEXT, emulator, server)
    server.close()


@pytest.fixture
def kubelet(k8s_api, request):
    """The test kubelet; parametrize `kubelet_minor` (e.g. over SUPPORTED_MINORS) to play
    another Kubernetes minor's wording, with the API server's /version to match."""
    minor = request.getfixturevalue("kubelet_minor") if "kubelet_minor" in \
        request.fixturenames else DEFAULT_MINOR
    if minor != DEFAULT_MINOR:
        k8s_api.emulator.version = server_version(WORDINGS[minor])
    node = Kubelet(k8s_api.emulator, k8s_api.url, time_scale=TIME_SCALE, minor=minor).start()
    yield node
    node.stop()


def wait_for_pod(cluster, namespace: str, predicate, timeout: float = 10.0,
                 label_selector: str | None = None) -> dict:
    """Follow the namespace's pods until `predicate(pod)`; AssertionError with the last seen."""
    last = None
    for _, pod in cluster.watch_pods(namespace, label_selector, timeout=timeout):
        last = pod
        if predicate(pod):
            return pod
    raise AssertionError(f"no pod in {namespace} matched within {timeout}s; last seen: "
                         f"{(last or {}).get('status')}")


def main_status(pod: dict) -> dict:
    """The first container's status ({} before the kubelet reported one)."""
    return ((pod.get("status") or {}).get("containerStatuses") or [{}])[0]
