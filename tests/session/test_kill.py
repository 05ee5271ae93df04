"""`kill -9` at every stage: the real CLI runs as a process against the emulator, is killed
with SIGKILL once the results file shows a stage, and the next run resumes with the whole
history: the symptom evidence, the broken restart count, quiz tries, hints, applied fixes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.session.helpers import PARTICIPANT, Lab, entry_of

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "oom-killed"
WRONG, RIGHT_CAUSE = "app_config", "oom_killed"
ANSWERS = {SCENARIO: {"menu": ["hint", "quiz"], "cause": [WRONG, RIGHT_CAUSE],
                      "evidence": "oomkilled-137"}}


def _entry(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return entry_of(record, SCENARIO)


STAGES = {  # stage -> what the results file shows once it is reached
    "after the symptom": lambda e: bool(e["symptom"]) and e["brokenRestartCount"] is not None,
    "after a hint": lambda e: e["hintsShown"] >= 1,
    "after a wrong try": lambda e: any(not a["correct"] for a in e["quiz"]["cause"]["attempts"]),
    "during the fix window": lambda e: bool(e.get("fixes")) and e["verification"] is None,
}


def _start(lab: Lab, window: int, log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "runner.cli", "run", "lab-3", "--context", lab.api.context,
            "--participant", PARTICIPANT, "--answers", str(lab.answers(ANSWERS)), "--yes",
            "--only", SCENARIO, "--stability-window", str(window),
            "--results", str(lab.root / "results"), "--workspace", str(lab.root / "workspace")]
    environ = {**os.environ, **lab.api.environ, "NO_COLOR": "1"}
    with log.open("w") as out:
        return subprocess.Popen(argv, cwd=ROOT, env=environ, stdout=out,
                                stderr=subprocess.STDOUT)


def _kill_when(process: subprocess.Popen, results: Path, reached, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entry = _entry(results)
        if entry is not None and reached(entry):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            return entry
        assert process.poll() is None, "the lab ended before the stage was reached"
        time.sleep(0.005)
    process.kill()
    raise AssertionError(f"the results file never showed the stage; last: {_entry(results)}")


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    lab = Lab(tmp_path, k8s_api)
    lab.write_fix(SCENARIO, lambda objects: None)   # the learner's file holds a working fix
    return lab


@pytest.mark.parametrize("stage", list(STAGES))
def test_kill_9_then_resume_keeps_the_whole_history(lab, stage):
    first = _start(lab, window=120, log=lab.root / "first.log")   # still in the window when killed
    at_kill = _kill_when(first, lab.results, STAGES[stage])
    assert first.returncode == -signal.SIGKILL
    assert at_kill["verification"] is None
    assert at_kill["symptom"] and at_kill["brokenRestartCount"] >= 1, \
        "the symptom evidence is in the file before the quiz"
    assert any("OOMKilled" in line for line in at_kill["symptom"])

    again = _start(lab, window=1, log=lab.root / "again.log")
    assert again.wait(timeout=120) == 0, (lab.root / "again.log").read_text()
    entry = lab.entry(SCENARIO)
    assert entry["status"] == "verified" and entry["fixAppliedBy"] == "workspace"
    check = entry["verification"]
    assert check["symptom"] == at_kill["symptom"], "the first sighting's evidence is kept"
    assert check["brokenRestartCount"] == at_kill["brokenRestartCount"] >= 1
    assert entry["symptom"] == at_kill["symptom"]
    assert entry["hintsShown"] >= max(1, at_kill["hintsShown"])
    kept = at_kill["quiz"]["cause"]["attempts"]
    assert entry["quiz"]["cause"]["attempts"][:len(kept)] == kept, "tries before the kill stay"
    assert entry["quiz"]["cause"]["attempts"][0] == {**kept[0], "answer": WRONG,
                                                     "correct": False} if kept else True
    assert entry["quiz"]["cause"]["attempts"][-1]["answer"] == RIGHT_CAUSE
    fixes = entry["fixes"]
    assert fixes[:len(at_kill["fixes"])] == at_kill["fixes"] and fixes[-1]["verdict"] == "fixed"
    if stage == "during the fix window":
        assert fixes[0] == {**at_kill["fixes"][0], "verdict": None}, \
            "the fix cut short by the kill stays on record, unjudged"
        assert len(fixes) == 2
