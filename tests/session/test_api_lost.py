"""The API goes away mid-lab: the session saves, ends the live display, prints where the
progress is and the exact resume command, and the ClusterError goes on to the CLI (exit 4)."""

import io

import pytest

from runner.catalog import load_catalog
from runner.errors import EXIT_CLUSTER, ClusterError
from runner.session import SessionOptions
from runner.session.askers import ScriptedAsker
from runner.session.lab import LabSession
from runner.session.screen import PlainScreen
from tests.cli.helpers import run_cli
from tests.harness.kubeconfig import write_kubeconfig
from tests.session.helpers import PARTICIPANT, RIGHT, Lab


class ServerGoesAway(ScriptedAsker):
    """Right answers; the node and then the API server stop when the fix stage asks."""

    def __init__(self, kubelet, server):
        super().__init__(RIGHT)
        self.kubelet, self.server = kubelet, server

    def fix_action(self, scenario, path, options, changed):
        self.kubelet.stop()   # its pods would only fail to report to a server that is gone
        self.server.close()
        return super().fix_action(scenario, path, options, changed)


class EndsLive(PlainScreen):
    def __init__(self, stream):
        super().__init__(stream)
        self.live_ended = 0

    def end_live(self):
        self.live_ended += 1
        super().end_live()


@pytest.fixture
def lab(tmp_path, k8s_api):
    return Lab(tmp_path, k8s_api)


def test_losing_the_api_saves_and_prints_the_resume_command(lab, kubelet):
    options = SessionOptions(lab="lab-3", participant=PARTICIPANT, results_path=lab.results,
                             workspace=lab.workspace, stability_window=1, yes=True,
                             only="oom-killed")
    out = io.StringIO()
    screen = EndsLive(out)
    session = LabSession(load_catalog(), options, lab.api.connect(),
                         ServerGoesAway(kubelet, lab.api.server), screen)
    with pytest.raises(ClusterError) as lost:
        session.run()
    assert lost.value.exit_code == EXIT_CLUSTER and "cannot reach" in str(lost.value)
    last = out.getvalue().strip().splitlines()[-1]
    assert last == f"Progress saved to {lab.results}. Resume with: {options.resume_command()}"
    assert screen.live_ended >= 1
    entry = lab.entry("oom-killed")
    assert entry["status"] == "fixing" and entry["symptom"] and entry["brokenRestartCount"] >= 1
    assert [a["correct"] for a in entry["quiz"]["cause"]["attempts"]] == [False, True]


def test_run_prints_the_resume_command_when_connecting_fails(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_kubeconfig(tmp_path / "kubeconfig", f"http://127.0.0.1:{port}", "my-aks")
    answers = tmp_path / "answers.yaml"
    answers.write_text("bad-command: bad_command\n")
    result = run_cli("run", "lab-3", "--context", "my-aks", "--participant", "ada", "--answers",
                     str(answers), "--yes", "--results", str(tmp_path / "results"),
                     environ={"KUBECONFIG": str(config), "NO_COLOR": "1"})
    assert result.code == EXIT_CLUSTER
    assert result.stderr.splitlines()[-1].startswith("crashlab: error: cannot reach")
    resume = [line for line in result.stdout.splitlines() if "resume with: " in line]
    assert resume and "crashlab run lab-3" in resume[0] and "--participant ada" in resume[0], \
        result.stdout
