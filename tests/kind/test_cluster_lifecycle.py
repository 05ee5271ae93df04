"""`crashlab cluster up|down|status` against stub kind/docker/kubectl that record their argv."""

import json
from pathlib import Path

import yaml

from runner.kind import CONFIG_FILE, LAB_IMAGE, ensure_cluster, ensure_image, node_image
from runner.kind.versions import NODE_IMAGE

CREATE = ["kind", "create", "cluster", "--name", "crashlab", "--config", str(CONFIG_FILE),
          "--image", NODE_IMAGE, "--wait", "120s"]
LOAD = ["kind", "load", "docker-image", LAB_IMAGE, "--name", "crashlab"]


def marker(tools, name="crashlab") -> Path:
    return tools.home / ".crashlab" / "clusters" / f"{name}.json"


def creates(tools) -> list[list[str]]:
    return [call for call in tools.calls("kind") if call[1:3] == ["create", "cluster"]]


# ------------------------------------------------------------------ up

def test_up_creates_the_cluster_with_the_checked_in_config_and_reports_ready(tools):
    result = tools.cli("cluster", "up")

    assert result.code == 0, result.err
    assert creates(tools) == [CREATE]
    assert "Ready: context kind-crashlab, lab image crashlab/lab-app:0.1.0" in result.out
    assert "Kind cluster 'crashlab': created with kindest/node:v1.35.8 (" in result.out
    assert "reachable, Kubernetes v1.33.1" in result.out
    assert "kind-crashlab" in tools.load()["kubectl"]["contexts"]


def test_the_config_is_one_control_plane_pinned_by_tag_and_digest_and_labelled():
    config = yaml.safe_load(CONFIG_FILE.read_text())

    assert config["kind"] == "Cluster" and config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    [node] = config["nodes"]
    assert node["role"] == "control-plane"
    # The image is passed with --image from runner/kind/versions.py, the one place for pins:
    # kind v0.33.0 release notes, "Images pre-built for this release", v1.35.8.
    assert "image" not in node
    assert node_image() == ("kindest/node:v1.35.8@sha256:"
                            "07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0")
    assert node["labels"] == {"crashlab.dev/created-by": "crashlab"}
    assert "releases/tag/v0.33.0" in (CONFIG_FILE.parent / "versions.py").read_text()


def test_name_and_wait_flags_reach_kind(tools):
    result = tools.cli("cluster", "up", "--name", "other", "--wait", "5m")

    assert result.code == 0, result.err
    assert creates(tools) == [["kind", "create", "cluster", "--name", "other", "--config",
                               str(CONFIG_FILE), "--image", NODE_IMAGE, "--wait", "5m"]]
    assert ["kind", "load", "docker-image", LAB_IMAGE, "--name", "other"] in tools.calls("kind")


def test_up_records_the_node_containers_it_created(tools):
    tools.cli("cluster", "up")

    record = json.loads(marker(tools).read_text())
    container_id = tools.load()["docker"]["containers"]["crashlab-control-plane"]
    assert record["nodes"] == {"crashlab-control-plane": container_id}
    assert record["node_image"] == node_image()


def test_up_reuses_an_existing_cluster_without_creating(tools):
    assert tools.cli("cluster", "up").code == 0
    tools.clear_calls()

    result = tools.cli("cluster", "up")

    assert result.code == 0, result.err
    assert creates(tools) == []
    assert "Kind cluster 'crashlab': exists, reused" in result.out


def test_up_reuses_a_cluster_it_did_not_create_and_warns_down_will_not_delete_it(tools):
    tools.add_cluster("crashlab")

    result = tools.cli("cluster", "up")

    assert result.code == 0, result.err
    assert creates(tools) == []
    assert "was not created by crashlab" in result.err
    assert not marker(tools).exists()


def test_up_re_exports_a_missing_kubeconfig_context(tools):
    tools.add_cluster("crashlab")
    tools.world["kubectl"]["contexts"] = []
    tools.save()

    assert tools.cli("cluster", "up").code == 0
    assert ["kind", "export", "kubeconfig", "--name", "crashlab"] in tools.calls("kind")


def test_up_skips_the_load_when_the_node_has_the_same_image_id(tools):
    build_id = tools.world["docker"]["build_id"]
    tools.add_cluster("crashlab", images={LAB_IMAGE: build_id})

    result = tools.cli("cluster", "up")

    assert result.code == 0, result.err
    assert LOAD not in tools.calls("kind")
    assert ["docker", "exec", "crashlab-control-plane", "crictl", "inspecti", "-o", "json",
            LAB_IMAGE] in tools.calls("docker")
    assert "already loaded (same image ID)" in result.out


def test_up_loads_when_the_node_has_another_image_id(tools):
    tools.add_cluster("crashlab", images={LAB_IMAGE: "sha256:" + "0" * 64})

    result = tools.cli("cluster", "up")

    assert result.code == 0, result.err
    assert LOAD in tools.calls("kind")
    node_images = tools.load()["kind"]["clusters"]["crashlab"]["images"]
    assert node_images[LAB_IMAGE] == tools.world["docker"]["build_id"]


def test_up_builds_the_lab_image_from_images_app_with_an_optional_base(tools):
    result = tools.cli("cluster", "up", "--base-image", "local/bookworm-python:1")

    assert result.code == 0, result.err
    [build] = [call for call in tools.calls("docker") if call[1] == "build"]
    assert build[:6] == ["docker", "build", "-t", LAB_IMAGE, "--build-arg",
                         "BASE=local/bookworm-python:1"]
    assert Path(build[-1]).samefile(Path(__file__).parents[2] / "images" / "app")


def test_no_build_uses_the_image_docker_has(tools):
    tools.world["docker"]["images"][LAB_IMAGE] = "sha256:" + "c" * 64
    tools.save()

    result = tools.cli("cluster", "up", "--no-build")

    assert result.code == 0, result.err
    assert not [call for call in tools.calls("docker") if call[1] == "build"]
    assert LOAD in tools.calls("kind")


def test_no_build_without_the_image_says_how_to_build_it(tools):
    result = tools.cli("cluster", "up", "--no-build")

    assert result.code == 3
    assert "Docker has no image crashlab/lab-app:0.1.0: drop --no-build" in result.err


def test_a_failed_create_shows_kinds_error_and_exits_3(tools):
    tools.world["kind"]["create_error"] = ("failed to ensure docker network: command \"docker "
                                           "network create -d=bridge kind\" failed with error: "
                                           "exit status 1")
    tools.save()

    result = tools.cli("cluster", "up")

    assert result.code == 3
    assert "kind could not create cluster 'crashlab' (ERROR: failed to create cluster: " \
           "failed to ensure docker network" in result.err
    assert not marker(tools).exists()


def test_a_create_that_times_out_is_cleaned_up(tools, monkeypatch):
    monkeypatch.setattr("runner.kind.clusters.CREATE_TIMEOUT", 0.5)
    tools.world["kind"]["create_hang"] = 5
    tools.save()

    result = tools.cli("cluster", "up")

    assert result.code == 3
    assert "did not finish within 0.5s" in result.err
    assert tools.calls("kind")[-1] == ["kind", "delete", "cluster", "--name", "crashlab"]
    assert not marker(tools).exists()


def test_bad_name_and_wait_are_usage_errors(tools):
    assert tools.cli("cluster", "up", "--name", "Not_Valid").code == 2
    assert tools.cli("cluster", "up", "--wait", "two minutes").code == 2
    assert tools.calls() == []


# ------------------------------------------------------------------ down

def test_down_refuses_a_cluster_the_lab_did_not_create(tools):
    tools.add_cluster("crashlab")

    result = tools.cli("cluster", "down")

    assert result.code == 4
    assert ("crashlab: error: kind cluster 'crashlab' was not created by crashlab on this "
            "machine, so crashlab will not delete it") in result.err
    assert "kind delete cluster --name crashlab" in result.err
    assert not [call for call in tools.calls("kind") if call[1] == "delete"]


def test_down_refuses_a_cluster_re_created_by_hand_under_the_same_name(tools):
    assert tools.cli("cluster", "up").code == 0
    world = tools.load()
    world["docker"]["containers"]["crashlab-control-plane"] = "another-container"
    tools.save()

    assert tools.cli("cluster", "down").code == 4
    assert "crashlab" in tools.load()["kind"]["clusters"]


def test_down_deletes_a_cluster_the_lab_created(tools):
    assert tools.cli("cluster", "up").code == 0
    tools.clear_calls()

    result = tools.cli("cluster", "down")

    assert result.code == 0, result.err
    assert ["kind", "delete", "cluster", "--name", "crashlab"] in tools.calls("kind")
    assert "crashlab" not in tools.load()["kind"]["clusters"]
    assert not marker(tools).exists()
    assert "Deleted kind cluster 'crashlab'" in result.out


def test_down_without_a_cluster_has_nothing_to_do(tools):
    result = tools.cli("cluster", "down")

    assert result.code == 0
    assert "nothing to delete" in result.out
    assert not [call for call in tools.calls("kind") if call[1] == "delete"]


# ------------------------------------------------------------------ --context

def test_context_mode_never_calls_kind_or_docker(tools):
    tools.remove("kind")
    tools.remove("docker")

    up = tools.cli("cluster", "up", "--context", "workshop",
                   "--image", "registry.example/crashlab/lab-app:0.1.0")
    status = tools.cli("cluster", "status", "--context", "workshop")

    assert (up.code, status.code) == (0, 0), up.err + status.err
    assert "Ready: context workshop, lab image registry.example/crashlab/lab-app:0.1.0" in up.out
    assert "reachable, Kubernetes v1.33.1" in status.out
    assert {call[0] for call in tools.calls()} == {"kubectl"}


def test_context_mode_without_image_warns_it_must_be_pullable(tools):
    result = tools.cli("cluster", "up", "--context", "workshop")

    assert result.code == 0
    assert "must be able to pull crashlab/lab-app:0.1.0" in result.err


def test_context_mode_with_an_unreachable_api_exits_4(tools):
    result = tools.cli("cluster", "up", "--context", "dead")

    assert result.code == 4
    assert "the API server of context 'dead' did not answer" in result.err


# ------------------------------------------------------------------ status

def test_status_of_the_lab_cluster(tools):
    assert tools.cli("cluster", "up").code == 0
    tools.clear_calls()

    result = tools.cli("cluster", "status")

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "docker    27.3.1", "kind      v0.33.0", "kubectl   v1.35.8",
        "cluster   crashlab (kind, created by crashlab)", "context   kind-crashlab",
        "api       reachable, Kubernetes v1.33.1"]
    # fast path: no build, no load, no exec into the node
    assert not [call for call in tools.calls() if call[1] in ("build", "load", "exec", "create")]


def test_status_without_the_cluster_says_to_run_up(tools):
    result = tools.cli("cluster", "status")

    assert result.code == 4
    assert "kind cluster 'crashlab' does not exist: run `crashlab cluster up`" in result.err


def test_status_with_docker_down_exits_3(tools):
    tools.world["docker"]["daemon"] = "down"
    tools.save()

    result = tools.cli("cluster", "status")

    assert result.code == 3
    assert "docker    not usable" in result.out
    assert "Cannot connect to the Docker daemon" in result.err


# ------------------------------------------------------------------ library API

def test_library_calls_report_their_steps(tools):
    seen = []

    class Recorder:
        def __init__(self, label):
            self.label = label

        def __enter__(self):
            from runner.kind import StepNote
            self.note = StepNote()
            return self.note

        def __exit__(self, *exc):
            seen.append((self.label, self.note.text))

    cluster = ensure_cluster(environ=tools.environ, step=Recorder)
    image = ensure_image(environ=tools.environ, step=Recorder)
    again = ensure_image(environ=tools.environ, step=Recorder)

    assert (cluster.name, cluster.context, cluster.created, cluster.owned) == \
        ("crashlab", "kind-crashlab", True, True)
    assert (image.loaded, again.loaded) == (True, False)
    assert image.image_id == tools.world["docker"]["build_id"]
    assert [label for label, _ in seen] == [
        "Kind cluster 'crashlab'", "Building crashlab/lab-app:0.1.0",
        "Loading crashlab/lab-app:0.1.0 into kind cluster 'crashlab'",
        "Building crashlab/lab-app:0.1.0",
        "Loading crashlab/lab-app:0.1.0 into kind cluster 'crashlab'"]
    assert seen[-1][1] == "already loaded (same image ID)"


def test_status_of_an_unreachable_context_quotes_kubectl_and_exits_4(tools):
    result = tools.cli("cluster", "status", "--context", "dead")

    assert result.code == 4
    assert "api       not reachable" in result.out
    assert "the API server of context 'dead' did not answer (The connection to the server " \
           "127.0.0.1:" in result.err
    assert "check `kubectl cluster-info --context dead`" in result.err


def test_status_of_an_unknown_context_exits_4(tools):
    result = tools.cli("cluster", "status", "--context", "nope")

    assert result.code == 4
    assert 'error: context "nope" does not exist' in result.err
