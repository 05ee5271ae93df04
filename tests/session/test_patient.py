"""The patient fix loop: a person at the keyboard is never timed out; wrong fixes are told in
words and refused before anything is applied when the manifest alone proves them wrong."""

import io
import time

import pytest

from runner.catalog import load_catalog
from runner.session import SessionOptions
from runner.session.askers import APPLY, CHANGED, QUIT, ScriptedAsker
from runner.session.lab import LabSession
from runner.session.screen import PlainScreen
from tests.session.helpers import (PARTICIPANT, RIGHT, Lab, container, heading, namespace,
                                   solution_objects)
from tests.session.test_fixes import _deployment_writes
from tests.unit.session.test_feedback import INTERNALS

TEN_MINUTES = 600.0


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


class Clock:
    """time.monotonic, plus however long the test says the learner sat and read."""

    def __init__(self):
        self.waited = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.waited


def session(lab: Lab, asker, out, clock=time.monotonic, window=1) -> LabSession:
    options = SessionOptions(lab="lab-3", participant=PARTICIPANT, results_path=lab.results,
                             workspace=lab.workspace, stability_window=window,
                             only="oom-killed")
    assert options.patient
    return LabSession(load_catalog(), options, lab.api.connect(), asker, PlainScreen(out),
                      clock=clock)


def _drop_memory_limit(objects):
    del container(objects)["resources"]["limits"]


class PatientLearner(ScriptedAsker):
    """Answers the quiz, then at the fix prompt: sits 10 minutes, applies a fix the manifest
    proves wrong, then a memory limit still too small, then quits. Notes when each step came."""

    def __init__(self, lab: Lab, clock: Clock, out: io.StringIO):
        super().__init__(RIGHT)
        self.lab, self.clock, self.out = lab, clock, out
        self.calls, self.marks = 0, []

    def fix_action(self, scenario, path, options, changed):
        self.calls += 1
        self.marks.append((time.monotonic(), _deployment_writes(self.lab.api),
                           len(self.out.getvalue())))
        if self.calls == 1:
            self.broken = path.read_text()
            self.clock.waited += TEN_MINUTES
            self.wrong = self.lab.write_fix(scenario.id, _drop_memory_limit).read_text()
            return APPLY
        if self.calls == 2:
            self.kept = path.read_text()
            assert "memory: 48Mi" in self.broken
            path.write_text(self.broken.replace("memory: 48Mi", "memory: 64Mi"))  # still small
            return APPLY
        return QUIT


def test_a_learner_who_waits_ten_minutes_gets_words_and_stays_in_the_menu(lab, k8s_api):
    out, clock = io.StringIO(), Clock()
    learner = PatientLearner(lab, clock, out)

    code = session(lab, learner, out, clock).run()

    text = out.getvalue()
    assert code == 0, text
    assert learner.calls == 3, "back in the fix menu after each wrong fix"
    (t1, writes1, at1), (t2, writes2, at2), _ = learner.marks
    refused = text[at1:at2]
    assert writes2 == writes1, "the refused fix sent nothing to the cluster"
    assert t2 - t1 < 1.0, f"refused in {t2 - t1:.2f}s"
    assert "Not fixed yet:" in refused
    assert ("not allowed: keep a memory limit on the container: the lesson is to size it, "
            "not to remove it") in refused
    assert "Nothing was applied: your file is kept as it is." in refused
    assert learner.kept == learner.wrong, "the learner's file is kept as they wrote it"
    again = text[at2:]
    assert "Not fixed yet:" in again
    assert "the new pod was OOMKilled again at 64Mi (exit 137, restart" in again
    for line in text[at1:].splitlines():
        assert not INTERNALS.search(line), line
    assert "crashlab: error" not in text
    assert text.strip().splitlines()[-1].startswith(f"Progress saved to {lab.results}")
    entry = lab.entry("oom-killed")
    assert entry["status"] == "fixing" and entry["verification"] is None


class KubectlBreaker(ScriptedAsker):
    """Answers the quiz, then removes the memory limit "with kubectl" while the lab waits."""

    def __init__(self, lab: Lab, out: io.StringIO):
        super().__init__(RIGHT)
        self.lab, self.out, self.marks = lab, out, []

    def fix_action(self, scenario, path, options, changed):
        self.marks.append(time.monotonic())
        if len(self.marks) > 1:
            return QUIT
        objects = solution_objects(scenario.id)
        _drop_memory_limit(objects)
        cluster = self.lab.api.connect()
        for obj in objects:
            cluster.apply([obj], namespace(scenario.id))
        assert changed.wait(10), "the lab noticed the new pod template"
        self.marks.append(time.monotonic())
        return CHANGED


def test_a_kubectl_change_is_judged_by_its_guards_at_once(lab):
    out = io.StringIO()
    learner = KubectlBreaker(lab, out)

    code = session(lab, learner, out, window=30).run()

    text = out.getvalue()
    assert code == 0, text
    noticed, back = learner.marks[1], learner.marks[2]
    assert back - noticed < 5, "judged without waiting for the 30 s window"
    assert "You changed the workload with kubectl: checking it." in text
    assert "not allowed: keep a memory limit on the container" in text
    assert "breaks a rule of this scenario: change it back" in text
    assert lab.entry("oom-killed")["status"] == "fixing"


def test_unattended_runs_still_give_up_after_the_fix_timeout(lab):
    result = lab.run("--only", "oom-killed", "--fix-timeout", "0.5")
    assert result.code == 1
    assert "crashlab: error: 2 · report-builder is not fixed yet" in result.stderr
    assert heading("oom-killed") == "2 · report-builder"
    assert "--fix-timeout 0.5" in result.stderr, "the resume command keeps the flag"
