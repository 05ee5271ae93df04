"""The learner's lab against a stalled API: the emulator pauses (no events, connections held)
for 15 s as soon as the fix "looks fixed"; the lab shows that it waits for the cluster and
verifies only after a full window of fresh evidence once the API is back."""

import io
import threading
import time

import pytest

from runner.catalog import load_catalog
from runner.session import SessionOptions
from runner.session.askers import ScriptedAsker
from runner.session.lab import LabSession
from runner.session.screen import PlainScreen
from runner.steps import fresh
from tests.session.helpers import PARTICIPANT, RIGHT, Lab

PAUSE = 15.0
WINDOW = 3


class StallingScreen(PlainScreen):
    """Timestamps every line; pauses the emulator the first time the fix looks fixed."""

    def __init__(self, stream, emulator):
        super().__init__(stream)
        self.emulator, self.lines, self.times = emulator, [], {}

    def _seen(self, lines):
        now = time.monotonic()
        self.lines += [(now, line) for line in lines]
        if "paused" not in self.times and any(line.startswith("looks fixed") for line in lines):
            self.times["paused"] = now
            self.emulator.pause()
            timer = threading.Timer(PAUSE, self._resume)
            timer.daemon = True
            timer.start()

    def _resume(self):
        self.times["resumed"] = time.monotonic()
        self.emulator.resume()

    def live(self, lines):
        self._seen(lines)
        super().live(lines)

    def say(self, text="", style=""):
        self._seen([text])
        super().say(text, style)


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def test_the_lab_verifies_only_after_a_full_window_of_fresh_evidence(lab):
    options = SessionOptions(lab="lab-3", participant=PARTICIPANT, results_path=lab.results,
                             workspace=lab.workspace, stability_window=WINDOW, solve=True,
                             yes=True, only="oom-killed")
    screen = StallingScreen(io.StringIO(), lab.api.emulator)
    session = LabSession(load_catalog(), options, lab.api.connect(), ScriptedAsker(RIGHT), screen)
    assert session.run() == 0
    assert "resumed" in screen.times, "verified while the API was paused"
    verified = next(at for at, line in screen.lines if line.startswith("✓ Verified"))
    assert verified - screen.times["resumed"] >= WINDOW
    waiting = [at for at, line in screen.lines if line == fresh.WAITING]
    assert waiting and screen.times["paused"] < waiting[0] < screen.times["resumed"]
    assert lab.entry("oom-killed")["verification"]["windowSeconds"] == WINDOW
