"""What the learner waits for: the next scenario after pre-warm, the verdict after the stability
window, and `crashlab --help`, next to a bare interpreter start (same run, same machine).

The session runs against the HTTP API emulator and the test kubelet (tests/harness).
"""

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.catalog import load_catalog
from runner.session import SessionOptions
from runner.session.askers import ScriptedAsker
from runner.session.lab import LabSession
from runner.cluster import PodTracker
from runner.results import records
from runner.session.screen import PlainScreen
from tests.harness.apiserver import Emulator
from tests.harness.kubeconfig import write_kubeconfig
from tests.harness.kubelet import Kubelet
from tests.session.helpers import RIGHT

ROOT = Path(__file__).resolve().parents[1]
WINDOW = 1


@pytest.fixture
def harness(tmp_path):
    emulator = Emulator()
    server = emulator.serve()
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server.url, "bench")
    kubelet = Kubelet(emulator, server.url, time_scale=0.02).start()
    yield tmp_path, kubeconfig
    kubelet.stop()
    server.close()


class TimedScreen(PlainScreen):
    """Notes when the fix first looked right (the window starts then)."""

    settling_at = None

    def live(self, lines):
        if self.settling_at is None and any("looks fixed" in line for line in lines):
            self.settling_at = time.monotonic()
        super().live(lines)


def started_session(root: Path, kubeconfig: Path, screen=None) -> LabSession:
    from runner.cluster import connect

    options = SessionOptions(lab="lab-3", participant="bench", results_path=root / "r.json",
                             workspace=root / "ws", stability_window=WINDOW, solve=True, yes=True)
    session = LabSession(load_catalog(), options, connect("bench", str(kubeconfig)),
                         ScriptedAsker(RIGHT), screen or PlainScreen(io.StringIO()))
    session.load_record()
    session.prewarm(session.scenarios)
    session.tracker = PodTracker(session.cluster.watch_pods_many(
        [session.namespace(s) for s in session.scenarios]))
    return session


@pytest.mark.benchmark(group="session")
def test_wait_for_scenarios_2_to_5_after_prewarm(benchmark, harness):
    session = started_session(*harness)
    first, *rest = session.scenarios
    session.wait_for_symptom(first, records.entry(session.record, first.id))  # the learner spends this on scenario 1 anyway

    def reach_the_rest():
        waits = []
        for scenario in rest:
            started = time.perf_counter()
            session.wait_for_symptom(scenario, records.entry(session.record, scenario.id))
            waits.append(time.perf_counter() - started)
        return waits

    waits = benchmark.pedantic(reach_the_rest, rounds=3, iterations=1)
    session.tracker.close()
    assert max(waits) < 1.0, waits


@pytest.mark.benchmark(group="session")
def test_verdict_after_the_window_ends(benchmark, harness):
    root, kubeconfig = harness
    screen = TimedScreen(io.StringIO())
    session = started_session(root, kubeconfig, screen)
    scenario = next(s for s in session.scenarios if s.id == "oom-killed")
    late = []

    def fix_and_judge():
        screen.settling_at = None
        exclude = session.apply_text(scenario, session.render(scenario, "solution"), "solution")
        verdict, _ = session.verify(scenario, exclude)
        assert verdict.fixed
        late.append(time.monotonic() - (screen.settling_at + WINDOW))
        session.apply_text(scenario, session.render(scenario, "broken"), "broken")

    benchmark.pedantic(fix_and_judge, rounds=3, iterations=1)
    session.tracker.close()
    assert max(late) < 1.0, late


def _seconds(argv: list[str], rounds: int = 15) -> float:
    """The fastest of `rounds` starts: other load on the machine only ever adds time."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.benchmark(group="cli-start")
def test_help_start_against_bare_python(benchmark):
    bare = _seconds([sys.executable, "-c", "pass"])
    help_argv = [sys.executable, "-c", "from runner.cli import run; run()", "--help"]
    benchmark.pedantic(lambda: subprocess.run(help_argv, cwd=ROOT, capture_output=True,
                                              check=True), rounds=7, iterations=1)
    start = _seconds(help_argv)
    print(f"\ncrashlab --help {start * 1000:.0f} ms, python -c pass {bare * 1000:.0f} ms, "
          f"difference {(start - bare) * 1000:.0f} ms")
    assert start - bare < 0.1, (start, bare)
