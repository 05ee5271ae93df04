"""`crashlab cluster status` on an existing lab cluster, timed next to a bare interpreter start.

Both run as subprocesses in the same run and environment. docker, kind and
kubectl are /bin/sh stubs with canned answers (tests/kind/harness.py): they
start about as fast as the real Go binaries, so the difference between the two
timings is crashlab's own cost (imports, six tool calls, the marker check) with
no API latency. The budget is one second on top of starting Python.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.kind import _marker, node_image
from tests.kind.harness import write_canned_stubs

ROOT = Path(__file__).resolve().parents[1]
STATUS = [sys.executable, "-c", "from runner.cli import run; run()", "cluster", "status"]
BASELINE = [sys.executable, "-c", "pass"]
BUDGET_SECONDS = 1.0
NODE, NODE_ID = "crashlab-control-plane", "4f1c" * 16
CLIENT = {"clientVersion": {"major": "1", "minor": "33", "gitVersion": "v1.33.1"}}
SERVER = {**CLIENT, "serverVersion": {"major": "1", "minor": "33", "gitVersion": "v1.33.1"}}


@pytest.fixture(scope="module")
def environ(tmp_path_factory):
    root = tmp_path_factory.mktemp("status")
    write_canned_stubs(root / "bin", {
        "docker": {("version", "--format", "{{.Server.Version}}"): "27.3.1",
                   ("container", "inspect", "--format", "{{.Id}}", NODE): NODE_ID},
        "kind": {("version",): "kind v0.29.0 go1.24.2 linux/amd64",
                 ("get", "clusters"): "crashlab"},
        "kubectl": {("version", "--client", "-o", "json"): json.dumps(CLIENT),
                    ("version", "-o", "json", "--context", "kind-crashlab",
                     "--request-timeout=5s"): json.dumps(SERVER)},
    })
    environ = {"PATH": str(root / "bin"), "HOME": str(root), "NO_COLOR": "1"}
    _marker.write_marker("crashlab", {NODE: NODE_ID}, node_image(), environ)
    return environ


def run(argv: list[str], environ: dict) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=environ, cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)


def median_seconds(argv: list[str], environ: dict, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run(argv, environ)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@pytest.mark.benchmark(group="cluster-status")
def test_baseline_python_start(benchmark, environ):
    result = benchmark.pedantic(run, args=(BASELINE, environ), rounds=10, iterations=1)
    assert result.returncode == 0


@pytest.mark.benchmark(group="cluster-status")
def test_cluster_status(benchmark, environ):
    result = benchmark.pedantic(run, args=(STATUS, environ), rounds=10, iterations=1)

    assert result.returncode == 0, result.stderr
    assert "cluster   crashlab (kind, created by crashlab)" in result.stdout
    assert "api       reachable, Kubernetes v1.33.1" in result.stdout
    overhead = median_seconds(STATUS, environ) - median_seconds(BASELINE, environ)
    assert overhead < BUDGET_SECONDS, f"cluster status took {overhead:.2f}s over a bare start"
