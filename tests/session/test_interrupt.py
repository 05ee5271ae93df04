"""Ctrl-C at every stage: exit 130, progress saved, the next run resumes at the same scenario."""

import io
import os
import shlex
import signal

import pytest

from runner.catalog import load_catalog
from runner.session import SessionOptions
from runner.session.askers import ScriptedAsker
from runner.session.interrupt import deferred
from runner.session.lab import LabSession
from runner.session.screen import PlainScreen
from tests.session.helpers import PARTICIPANT, RIGHT, Lab


class InterruptingAsker(ScriptedAsker):
    """Scripted answers, with a Ctrl-C at the first call of one method."""

    def __init__(self, at: str):
        super().__init__(RIGHT)
        self.at = at

    def _maybe(self, where: str):
        if self.at == where:
            self.at = None
            raise KeyboardInterrupt

    def menu(self, scenario, options):
        self._maybe("menu")
        return super().menu(scenario, options)

    def answer(self, scenario, question, attempt):
        self._maybe(f"answer:{question.id}")
        return super().answer(scenario, question, attempt)

    def fix_action(self, scenario, path, options, changed):
        self._maybe("fix")
        return super().fix_action(scenario, path, options, changed)


class InterruptingScreen(PlainScreen):
    """Ctrl-C when a given text is about to be shown (a step label or a live line)."""

    def __init__(self, stream, at: str | None):
        super().__init__(stream)
        self.at = at

    def _maybe(self, text: str):
        if self.at and self.at in text:
            self.at = None
            raise KeyboardInterrupt

    def live(self, lines):
        self._maybe("\n".join(lines))
        super().live(lines)

    def say(self, text="", style=""):
        self._maybe(text)
        super().say(text, style)


def session(lab: Lab, asker, screen, solve=False) -> LabSession:
    options = SessionOptions(lab="lab-3", participant=PARTICIPANT, results_path=lab.results,
                             workspace=lab.workspace, stability_window=1, solve=solve, yes=True,
                             only="oom-killed")
    cluster = lab.api.connect()
    return LabSession(load_catalog(), options, cluster, asker, screen)


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


STAGES = [
    # (where the Ctrl-C lands, asker hook, screen hook, status saved, cause attempts saved)
    ("pre-warm", None, "Deploying 1 broken", None, 0),
    ("investigate menu", "menu", None, "investigating", 0),
    ("quiz", "answer:evidence", None, "investigating", 2),
    ("fix", "fix", None, "fixing", 2),
    ("verify", None, "looks fixed", "fixing", 2),
]


@pytest.mark.parametrize("stage, ask_at, show_at, status, causes", STAGES,
                         ids=[s[0] for s in STAGES])
def test_ctrl_c_saves_and_resumes(lab, stage, ask_at, show_at, status, causes):
    out = io.StringIO()
    code = session(lab, InterruptingAsker(ask_at), InterruptingScreen(out, show_at),
                   solve=(stage == "verify")).run()

    assert code == 130
    last = out.getvalue().strip().splitlines()[-1]
    resume = shlex.join(["crashlab", "run", "lab-3", "--participant", PARTICIPANT,
                         "--results", str(lab.results.parent),
                         "--workspace", str(lab.workspace.parent), "--only", "oom-killed",
                         *(["--solve"] if stage == "verify" else []), "--yes",
                         "--stability-window", "1"])
    assert last == f"Interrupted: progress saved to {lab.results}. Resume with: {resume}"
    if status is None:
        assert not lab.results.exists() or lab.entry("oom-killed")["status"] in ("pending",)
    else:
        entry = lab.entry("oom-killed")
        assert entry["status"] == status
        assert len(entry["quiz"]["cause"]["attempts"]) == causes

    again = io.StringIO()
    assert session(lab, ScriptedAsker(RIGHT), PlainScreen(again), solve=True).run() == 0
    if status is not None:
        assert "Resuming lab-3 for ada at 2 · report-builder." in again.getvalue()
        assert "The flowchart to follow every time" not in again.getvalue()  # intro: first run only
    entry = lab.entry("oom-killed")
    assert entry["status"] == "revealed" and entry["verification"]["podName"]
    # answers given before the interruption are kept, not asked again
    assert len(entry["quiz"]["cause"]["attempts"]) == 2


def test_ctrl_c_during_an_apply_waits_for_the_apply_to_finish():
    with deferred() as interrupted:
        os.kill(os.getpid(), signal.SIGINT)
        finished = True
    assert finished and interrupted()
