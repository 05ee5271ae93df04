"""The resume hint is the exact command that resumes the run: a test runs what was printed."""

import shlex

import pytest
import yaml

from runner.session.askers import ScriptedAsker
from tests.cli.helpers import run_cli
from tests.harness.kubeconfig import write_kubeconfig
from tests.session.helpers import PARTICIPANT, RIGHT, Lab

CONTEXT = "workshop-aks"   # not a kind context: the command must carry --context


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def test_the_printed_resume_command_resumes_the_same_run(lab, k8s_api, monkeypatch, tmp_path):
    kubeconfig = write_kubeconfig(tmp_path / "kube config", k8s_api.url, CONTEXT)
    environ = {"KUBECONFIG": str(kubeconfig)}
    folder = tmp_path / "my lab"            # spaces: the command must be shell-quoted
    answers = folder / "answers file.yaml"
    folder.mkdir()
    answers.write_text(yaml.safe_dump(RIGHT))
    lab.root = folder
    lab.write_fix("oom-killed", lambda objects: None)
    interrupted = []
    original = ScriptedAsker.fix_action

    def ctrl_c_once(self, *args):
        if not interrupted:
            interrupted.append(True)
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(ScriptedAsker, "fix_action", ctrl_c_once)
    first = run_cli("run", "lab-3", "--context", CONTEXT, "--participant", PARTICIPANT,
                    "--answers", str(answers), "--yes", "--stability-window", "1",
                    "--results", str(folder / "results"),
                    "--workspace", str(folder / "workspace"), "--only", "oom-killed",
                    "--image", "crashlab/lab-app:0.1.0-test", "--fix-timeout", "60",
                    environ=environ)

    assert first.code == 130, first.stderr
    line = first.stdout.strip().splitlines()[-1]
    assert line.startswith(f"Interrupted: progress saved to {lab.results}. Resume with: ")
    command = shlex.split(line.split("Resume with: ", 1)[1])
    assert command[:3] == ["crashlab", "run", "lab-3"]
    for flag, value in (("--context", CONTEXT), ("--participant", PARTICIPANT),
                        ("--answers", str(answers)), ("--results", str(folder / "results")),
                        ("--workspace", str(folder / "workspace")), ("--only", "oom-killed"),
                        ("--image", "crashlab/lab-app:0.1.0-test"), ("--fix-timeout", "60"),
                        ("--stability-window", "1")):
        assert command[command.index(flag) + 1] == value, flag
    assert "--yes" in command
    assert lab.entry("oom-killed")["status"] == "fixing"

    again = run_cli(*command[1:], environ=environ)

    assert again.code == 0, again.stderr
    assert "Resuming lab-3 for ada at 2 · report-builder." in again.stdout
    entry = lab.entry("oom-killed")
    assert entry["status"] == "verified" and entry["fixAppliedBy"] == "workspace"
    assert len(entry["quiz"]["cause"]["attempts"]) == 2, "the same run: no quiz asked again"
    assert lab.record()["cluster"]["context"] == CONTEXT
