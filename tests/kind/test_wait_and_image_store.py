"""kind's wait that runs out, and the "already loaded" check with both Docker image stores."""

from runner.kind import LAB_IMAGE
from runner.kind.images import full_reference, parse_ctr_digest

LOAD = ["kind", "load", "docker-image", LAB_IMAGE, "--name", "crashlab"]


def node_polls(tools) -> int:
    return sum(1 for call in tools.calls("kubectl") if call[1:3] == ["get", "nodes"])


# ------------------------------------------------------------------ kind's --wait ran out

def test_a_wait_timeout_makes_up_wait_for_the_node_through_the_api(tools, monkeypatch):
    """kind waitforready.go prints ` • WARNING: Timed out waiting for Ready ⚠️` and exits 0:
    crashlab then polls the nodes' Ready condition until it is True."""
    monkeypatch.setattr("runner.kind.clusters.NODE_READY_POLL", 0.01)
    tools.world["kind"]["create_wait_times_out"] = True
    tools.world["kubectl"]["node_not_ready_polls"] = 2
    tools.save()

    result = tools.cli("cluster", "up")

    assert result.code == 0, result.err
    assert "created with kindest/node:v1.35.8, but not Ready within --wait 120s" in result.out
    assert "Waiting for the nodes of kind cluster 'crashlab' to be Ready: Ready (" in result.out
    assert node_polls(tools) == 3
    assert LOAD in tools.calls("kind")  # only after the node is Ready


def test_a_node_that_never_becomes_ready_fails_with_the_next_command(tools, monkeypatch):
    monkeypatch.setattr("runner.kind.clusters.NODE_READY_POLL", 0.01)
    monkeypatch.setattr("runner.kind.clusters.NODE_READY_TIMEOUT", 0.2)
    tools.world["kind"]["create_wait_times_out"] = True
    tools.world["kubectl"]["node_not_ready_polls"] = -1
    tools.save()

    result = tools.cli("cluster", "up")

    assert result.code == 4
    [line] = [line for line in result.err.splitlines() if line.startswith("crashlab: error:")]
    assert line.startswith("crashlab: error: kind cluster 'crashlab' was created but is not "
                           "Ready after kind's wait and 0.2s more "
                           "(crashlab-control-plane: KubeletNotReady)")
    assert line.endswith("see `kubectl describe nodes --context kind-crashlab`, then run "
                         "`crashlab cluster down` and `crashlab cluster up` again")
    assert "Waiting for the nodes of kind cluster 'crashlab' to be Ready: failed" in result.out
    assert LOAD not in tools.calls("kind")


def test_a_ready_create_does_not_poll(tools):
    assert tools.cli("cluster", "up").code == 0
    assert node_polls(tools) == 0


# ------------------------------------------------------------------ image stores

def test_classic_store_second_up_finds_the_image_loaded(tools):
    assert tools.cli("cluster", "up").code == 0
    tools.clear_calls()

    result = tools.cli("cluster", "up")

    assert "already loaded (same image ID)" in result.out
    assert LOAD not in tools.calls("kind")


def test_containerd_store_second_up_finds_the_image_loaded(tools):
    """With Docker's containerd image store `.Id` is the index digest while crictl reports
    the config digest (kind #4236): the target digest from `ctr images list` matches."""
    tools.world["docker"]["image_store"] = "containerd"
    tools.save()
    assert tools.cli("cluster", "up").code == 0
    world = tools.load()
    assert world["kind"]["clusters"]["crashlab"]["images"][LAB_IMAGE] == \
        world["docker"]["config_id"] != world["docker"]["build_id"]
    tools.clear_calls()

    result = tools.cli("cluster", "up")

    assert result.code == 0, result.err
    assert "already loaded (same image ID)" in result.out
    assert LOAD not in tools.calls("kind")


def test_a_changed_image_is_loaded_again_with_either_store(tools):
    for store in ("classic", "containerd"):
        tools.world = tools.load()
        tools.world["docker"]["image_store"] = store
        tools.world["docker"]["build_id"] = "sha256:" + ("1" if store == "classic" else "2") * 64
        tools.save()
        tools.clear_calls()
        assert tools.cli("cluster", "up").code == 0
        assert LOAD in tools.calls("kind"), store


def test_the_lab_image_is_built_without_default_attestations(tools):
    """kind #3795: an image with a provenance attestation can fail `kind load`."""
    assert tools.cli("cluster", "up").code == 0

    assert tools.load()["docker"]["builds"] == [{"no_default_attestations": True}]


def test_parse_ctr_digest_reads_the_digest_column_of_the_exact_ref():
    # containerd cmd/ctr/commands/images/images.go: REF TYPE DIGEST SIZE PLATFORMS LABELS
    table = ("REF TYPE DIGEST SIZE PLATFORMS LABELS\n"
             "docker.io/crashlab/lab-app:0.1.0-rc application/vnd.oci.image.index.v1+json "
             "sha256:aaa 61.2 MiB linux/amd64 -\n"
             "docker.io/crashlab/lab-app:0.1.0 application/vnd.oci.image.index.v1+json "
             "sha256:bbb 61.2 MiB linux/amd64 io.cri-containerd.image=managed\n")

    assert parse_ctr_digest(table, "docker.io/crashlab/lab-app:0.1.0") == "sha256:bbb"
    assert parse_ctr_digest(table.splitlines()[0], "docker.io/crashlab/lab-app:0.1.0") is None


def test_full_reference_names_images_as_containerd_does():
    assert full_reference("crashlab/lab-app:0.1.0") == "docker.io/crashlab/lab-app:0.1.0"
    assert full_reference("busybox:1.36") == "docker.io/library/busybox:1.36"
    assert full_reference("registry.example/a/b:1") == "registry.example/a/b:1"
    assert full_reference("localhost:5000/a:1") == "localhost:5000/a:1"
