"""Preflight says what this machine would download, with sizes, and points to the kit
when the download hosts do not answer (here: a closed local port, the harness default)."""

import time

from runner.kind import needs, reach
from runner.kind.images import LAB_IMAGE
from runner.kind.versions import NODE_IMAGE

NODE_TAG = NODE_IMAGE.split("@")[0]


def test_plan_lists_only_what_is_missing_with_the_pinned_hosts():
    planned = needs.plan_needs(["kubectl"], node_image_present=False, lab_image_present=True,
                               base_present=False)
    assert [(n.what, n.host) for n in planned] == [
        ("kubectl v1.35.8", ("dl.k8s.io", 443)), (NODE_TAG, ("registry-1.docker.io", 443))]
    assert needs.describe(planned) == ("kubectl v1.35.8 (~60 MB), kindest/node:v1.35.8 "
                                       "(~1.0 GB): about 1.1 GB in all")
    assert needs.plan_needs([], True, False, True) == []


def test_a_base_url_override_replaces_every_host():
    planned = needs.plan_needs(["kind"], False, False, False, "http://127.0.0.1:9")
    assert {n.host for n in planned} == {("127.0.0.1", 9)}


def test_up_names_the_downloads_and_points_to_the_kit_when_the_hosts_refuse(tools):
    tools.remove("kind")
    started = time.monotonic()
    result = tools.cli("cluster", "up")

    assert result.code == 3
    port = tools.environ["CRASHLAB_DOWNLOAD_BASE"].rsplit(":", 1)[1]
    assert ("crashlab: note: this machine will download kind v0.33.0 (~10 MB), "
            "kindest/node:v1.35.8 (~1.0 GB), python:3.12-slim (the lab image's base) (~45 MB): "
            "about 1.1 GB in all") in result.err
    assert (f"crashlab: note: the network looks absent (127.0.0.1:{port} did not answer): ask "
            "the instructor for the classroom kit and run `make lab-3 KIT=DIR`") in result.err
    # The note comes before anything is created or downloaded.
    assert not [call for call in tools.calls() if call[:2] in (["kind", "create"],
                                                               ["docker", "build"])]
    assert time.monotonic() - started < 10


def test_nothing_is_announced_or_probed_when_everything_is_there(tools, monkeypatch):
    tools.world["docker"]["images"] = {NODE_TAG: "sha256:" + "a" * 64,
                                       LAB_IMAGE: "sha256:" + "b" * 64}
    tools.save()
    probed = []
    monkeypatch.setattr(reach, "unreachable", lambda hosts, seconds=0: probed.append(hosts))
    result = tools.cli("cluster", "up", "--no-build")

    assert result.code == 0, result.err
    assert "will download" not in result.err and probed == []


def test_the_probe_is_fast_and_sends_nothing_to_a_listening_host():
    import socket

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        host = listening.getsockname()
        started = time.monotonic()
        assert reach.unreachable([host, ("127.0.0.1", 1)]) == [("127.0.0.1", 1)]
        assert time.monotonic() - started < reach.PROBE_SECONDS + 0.5
        conn, _ = listening.accept()
        conn.settimeout(0.5)
        try:
            assert conn.recv(10) == b""  # connected and closed: not one byte sent
        finally:
            conn.close()
