"""Reaching the API: versions, contexts, and the one-line errors users see."""

import os
import socket

import pytest

from runner import cluster
from runner.errors import EXIT_BAD_INPUT, EXIT_CLUSTER, ClusterError, InputError
from runner.cluster._errors import unreachable_hint
from tests.harness.apiserver import Emulator
from tests.harness.kubeconfig import write_kubeconfig


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ping_returns_the_server_version(k8s_api):
    assert cluster.ping(k8s_api.context, str(k8s_api.kubeconfig)) == "v1.33.1"


def test_ping_falls_back_to_a_list_when_there_is_no_version_endpoint(tmp_path):
    server = Emulator(version=None).serve()
    try:
        kubeconfig = write_kubeconfig(tmp_path / "kc", server.url, "bare")
        assert cluster.ping("bare", str(kubeconfig)) == "unknown"
        assert server.emulator.count("GET", "/api/v1/namespaces") == 1
    finally:
        server.close()


def test_current_context_is_used_by_default(k8s_api):
    assert k8s_api.connect().context == k8s_api.context
    assert cluster.connect(kubeconfig=str(k8s_api.kubeconfig)).context == k8s_api.context


def test_kubeconfig_comes_from_the_environment(k8s_api, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(k8s_api.kubeconfig))
    assert cluster.connect().server == k8s_api.url


def test_refused_connection_names_context_server_and_next_step(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    kubeconfig = write_kubeconfig(tmp_path / "kc", url, "kind-crashlab")
    with pytest.raises(ClusterError) as caught:
        cluster.ping("kind-crashlab", str(kubeconfig))
    message = str(caught.value)
    assert message == (f"cannot reach the Kubernetes API at {url} (context kind-crashlab): "
                       "connection refused — is the cluster running? try: crashlab cluster up")
    assert caught.value.exit_code == EXIT_CLUSTER


@pytest.mark.parametrize("context, hint", [
    ("kind-crashlab", "is the cluster running? try: crashlab cluster up"),
    ("kind-demo", "is the kind cluster demo running? check `kind get clusters` and `docker ps`"),
    ("my-aks", "check the context, your VPN and your credentials: kubectl cluster-info "
               "--context my-aks"),
    ("docker-desktop", "check the context, your VPN and your credentials: kubectl cluster-info "
                       "--context docker-desktop"),
    (None, "check the kubeconfig's current context, your VPN and your credentials"),
])
def test_unreachable_hint_fits_the_context(context, hint):
    assert unreachable_hint(context) == hint


@pytest.mark.parametrize("context", ["my-aks", "kind-demo"])
def test_refused_connection_on_another_context_never_suggests_cluster_up(tmp_path, context):
    url = f"http://127.0.0.1:{_free_port()}"
    kubeconfig = write_kubeconfig(tmp_path / "kc", url, context)
    with pytest.raises(ClusterError) as caught:
        cluster.ping(context, str(kubeconfig))
    assert str(caught.value) == (f"cannot reach the Kubernetes API at {url} (context {context}): "
                                 f"connection refused — {unreachable_hint(context)}")
    assert "cluster up" not in str(caught.value)


def test_watching_an_unreachable_context_gives_the_same_hint(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    kubeconfig = write_kubeconfig(tmp_path / "kc", url, "my-aks")
    conn = cluster.connect("my-aks", str(kubeconfig))
    with pytest.raises(ClusterError, match=r"\(context my-aks\): connection refused — check the "
                       r"context, your VPN and your credentials: kubectl cluster-info "
                       r"--context my-aks$"):
        next(conn.watch_pods("crashlab-ada-oom-killed", timeout=30))


def test_unknown_host_says_to_check_the_address(tmp_path):
    kubeconfig = write_kubeconfig(tmp_path / "kc", "http://no-such-host.invalid:6443", "far")
    with pytest.raises(ClusterError, match=r"at http://no-such-host.invalid:6443 \(context far\)"
                       r": host name not found — check the server address"):
        cluster.ping("far", str(kubeconfig))


def test_tls_mismatch_is_reported_as_such(k8s_api, tmp_path):
    https = k8s_api.url.replace("http://", "https://")
    kubeconfig = write_kubeconfig(tmp_path / "kc", https, "tls")
    with pytest.raises(ClusterError, match=r"^cannot reach the Kubernetes API at https://127\.0"
                       r"\.0\.1:\d+ \(context tls\): TLS error .* re-export it"):
        cluster.ping("tls", str(kubeconfig))


def test_rejected_token_says_to_refresh_credentials(tmp_path):
    server = Emulator(token="right").serve()
    try:
        kubeconfig = write_kubeconfig(tmp_path / "kc", server.url, "aks", token="wrong")
        with pytest.raises(ClusterError, match=r"\(context aks\) rejected the credentials "
                           r"\(401 Unauthorized\): refresh your kubeconfig"):
            cluster.ping("aks", str(kubeconfig))
        good = write_kubeconfig(tmp_path / "good", server.url, "aks", token="right")
        assert cluster.ping("aks", str(good)) == "v1.33.1"
    finally:
        server.close()


def test_missing_context_lists_the_available_ones(k8s_api, tmp_path):
    kubeconfig = write_kubeconfig(tmp_path / "kc", k8s_api.url, "kind-a",
                                  extra_contexts={"minikube": k8s_api.url})
    with pytest.raises(ClusterError) as caught:
        cluster.connect("kind-crashlab", str(kubeconfig))
    assert str(caught.value) == (f"no context 'kind-crashlab' in kubeconfig {kubeconfig} "
                                 "(available: kind-a, minikube): pass --context NAME")


def test_missing_kubeconfig_says_how_to_get_one(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ClusterError, match=rf"^no kubeconfig at {missing}: create a cluster "
                       r"\(crashlab cluster up\), or set KUBECONFIG=FILE to use another kubeconfig$"):
        cluster.connect(None, str(missing))


def test_importing_the_package_does_not_load_the_client():
    import subprocess
    import sys

    code = "import sys, runner.cluster; print('kubernetes' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("text, where, problem", [
    ("apiVersion: v1\nclusters:\n\t- name: x\n", "3:1",
     "found character that cannot start any token"),  # libyaml's wording
    ('{"apiVersion": "v1", "clusters": [\n  {"name": "x"\n]}\n', "3:1",
     "did not find expected ',' or '}'"),
])
def test_kubeconfig_that_does_not_parse_is_bad_input_with_file_line_and_column(
        tmp_path, text, where, problem):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(text)
    with pytest.raises(InputError) as caught:
        cluster.connect("kind-crashlab", str(kubeconfig))
    assert str(caught.value) == (f"{kubeconfig}:{where}: the kubeconfig is not valid YAML "
                                 f"({problem}): fix it, or set KUBECONFIG to a working kubeconfig")
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_each_file_of_a_kubeconfig_list_is_checked(k8s_api, tmp_path):
    broken = tmp_path / "second"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n")
    path = os.pathsep.join([str(k8s_api.kubeconfig), str(broken)])
    with pytest.raises(InputError) as caught:
        cluster.connect(k8s_api.context, path)
    assert str(caught.value) == (f"{broken}: not a text file (byte 0 is not UTF-8): fix it, or "
                                 "set KUBECONFIG to a working kubeconfig")


def test_yaml_that_is_not_a_mapping_is_not_a_kubeconfig(tmp_path):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("- just\n- a list\n")
    with pytest.raises(InputError, match=rf"^{kubeconfig}: not a kubeconfig \(expected clusters, "
                       r"contexts and users\): fix it"):
        cluster.connect(None, str(kubeconfig))
