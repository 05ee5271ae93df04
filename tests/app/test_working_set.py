"""The working set: what a memory limit below it turns into OOMKilled."""

import json
import resource

from .conftest import rss_kib

MIB_IN_KIB = 1024


def test_working_set_is_resident_before_serving(start_app):
    idle = start_app().wait_ready()
    busy = start_app({"APP_WORKING_SET_MB": "64"}).wait_ready()

    grown = rss_kib(busy.proc.pid) - rss_kib(idle.proc.pid)

    assert grown >= 60 * MIB_IN_KIB
    out = busy.output()
    assert "INFO  allocating working set of 64 MiB" in out
    assert out.index("working set ready: 64 MiB") < out.index("listening on")
    assert json.loads(busy.get("/")[1])["working_set_mib"] == 64


def test_progress_is_logged(start_app):
    app = start_app({"APP_WORKING_SET_MB": "130"}).wait_ready()

    out = app.output()
    assert "working set: 64/130 MiB" in out
    assert "working set: 128/130 MiB" in out
    assert "working set ready: 130 MiB in 17 chunks" in out


def limit_address_space(mib):
    def preexec():
        resource.setrlimit(resource.RLIMIT_AS, (mib * 1024 * 1024,) * 2)
    return preexec


def test_dies_when_the_working_set_does_not_fit(start_app):
    app = start_app({"APP_WORKING_SET_MB": "512"}, preexec_fn=limit_address_space(256))

    assert app.wait_exit() == 1
    out = app.output()
    assert "FATAL cannot allocate working set: out of memory after " in out
    assert "of 512 MiB" in out
    assert "listening on" not in out
