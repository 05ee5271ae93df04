"""The README's exit codes hold for every bad input a user can give: each one runs through the
CLI in-process and must end with its code and one exact line (0 ok, 1 a check did not pass,
2 bad input, 3 something missing on this machine, 4 cluster unreachable, 130 interrupted)."""

import re
import socket
from pathlib import Path

import pytest

from runner.errors import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_CLUSTER
from tests.cli.helpers import run_cli
from tests.harness.kubeconfig import write_kubeconfig

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LAB_3 = "bad-command, oom-killed, invalid-app-config, invalid-user, failing-liveness-probe"
OOM_CAUSES = "app_config, evicted, exits_zero, liveness_probe, oom_killed"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
LATIN_1 = "bad-command: {cause: bad_command}  # Zoë\n".encode("latin-1")
KUBECONFIG_TODO = "fix it, or set KUBECONFIG to a working kubeconfig"
NOTHING_GRADED = ("give the folder (or files) the participants' results/<lab>-<name>.json "
                  "were collected into; no report was written")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _file(tmp_path: Path, name: str, content) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def _run_lab(tmp, answers: str, context: str = "my-aks") -> list[str]:
    return ["run", "lab-3", "--context", context, "--participant", "ada", "--answers", answers,
            "--yes", "--results", str(tmp / "results"), "--workspace", str(tmp / "ws")]


def _answers_unknown_scenario(tmp):
    path = _file(tmp, "answers.yaml", "bad-comand: bad_command\n")
    return _run_lab(tmp, path), {}, EXIT_BAD_INPUT, (
        f"{path}: bad-comand: no such scenario in this lab (it has {LAB_3})")


def _answers_unknown_choice(tmp):
    path = _file(tmp, "answers.yaml", "oom-killed: {cause: oom, evidence: oomkilled-137}\n")
    return _run_lab(tmp, path), {}, EXIT_BAD_INPUT, (
        f'{path}: oom-killed.cause: "oom" is not one of the choices ({OOM_CAUSES})')


def _answers_unknown_question(tmp):
    path = _file(tmp, "answers.yaml", "oom-killed: {cause: oom_killed, proof: limits}\n")
    return _run_lab(tmp, path), {}, EXIT_BAD_INPUT, (
        f"{path}: oom-killed.proof: unknown key; use cause, evidence, menu or fix")


def _fix_timeout_zero(tmp):
    path = _file(tmp, "answers.yaml", "bad-command: bad_command\n")
    return [*_run_lab(tmp, path), "--fix-timeout", "0"], {}, EXIT_BAD_INPUT, (
        "--fix-timeout must be more than 0 seconds")


def _answers_not_text(tmp):
    path = _file(tmp, "answers.yaml", LATIN_1)
    return _run_lab(tmp, path), {}, EXIT_BAD_INPUT, (
        f"{path}: not a text file (byte {LATIN_1.index(0xEB)} is not UTF-8): give the YAML or "
        "JSON answers file (--answers)")


def _kubeconfig_not_yaml(tmp):
    answers = _file(tmp, "answers.yaml", "bad-command: bad_command\n")
    config = _file(tmp, "kubeconfig", "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: x\n")
    return _run_lab(tmp, answers), {"KUBECONFIG": config}, EXIT_BAD_INPUT, (
        f"{config}:5:1: the kubeconfig is not valid YAML (did not find expected ',' or '}}'): "
        f"{KUBECONFIG_TODO}")


def _kubeconfig_not_text(tmp):
    config = _file(tmp, "kubeconfig", PNG)
    return ["diagnose", "web", "-n", "shop", "--context", "my-aks"], {"KUBECONFIG": config}, \
        EXIT_BAD_INPUT, f"{config}: not a text file (it holds binary data): {KUBECONFIG_TODO}"


def _diagnose_file_not_text(tmp):
    path = _file(tmp, "describe.txt", PNG)
    return ["diagnose", "-f", path], {}, EXIT_BAD_INPUT, (
        f"{path}: not a text file (it holds binary data): give what kubectl printed, saved as text")


def _grade_only_corrupt(tmp):
    _file(tmp, "results/lab-3-ada.json", '{"schema": "crashlab.dev/results/v1"')
    return ["grade", str(tmp / "results")], {}, EXIT_BAD_INPUT, (
        f"no results file in {tmp / 'results'} could be graded (see the flags above): "
        f"{NOTHING_GRADED}")


def _grade_only_binary(tmp):
    _file(tmp, "results/lab-3-ada.json", PNG)
    return ["grade", str(tmp / "results")], {}, EXIT_BAD_INPUT, (
        f"no results file in {tmp / 'results'} could be graded (see the flags above): "
        f"{NOTHING_GRADED}")


def _grade_roster_not_text(tmp):
    _file(tmp, "results/lab-3-ada.json", PNG)
    roster = _file(tmp, "class.txt", "ada\nZoë\n".encode("latin-1"))
    return ["grade", str(tmp / "results"), "--roster", roster], {}, EXIT_BAD_INPUT, (
        f"{roster}: not a text file (byte 6 is not UTF-8): give a text file with one participant "
        "per line")


def _verify_binary(tmp):
    path = _file(tmp, "lab-3-ada.json", PNG)
    return ["results", "verify", path], {"CRASHLAB_GRADING_KEY": "k"}, EXIT_CHECK_FAILED, \
        "1 of 1 file(s) did not verify"


def _unreachable_other_context(tmp):
    url = f"http://127.0.0.1:{_free_port()}"
    config = write_kubeconfig(tmp / "kubeconfig", url, "my-aks")
    answers = _file(tmp, "answers.yaml", "bad-command: bad_command\n")
    return _run_lab(tmp, answers), {"KUBECONFIG": str(config)}, EXIT_CLUSTER, (
        f"cannot reach the Kubernetes API at {url} (context my-aks): connection refused — "
        "check the context, your VPN and your credentials: kubectl cluster-info --context my-aks")


def _unreachable_lab_cluster(tmp):
    url = f"http://127.0.0.1:{_free_port()}"
    config = write_kubeconfig(tmp / "kubeconfig", url, "kind-crashlab")
    return ["diagnose", "web", "-n", "shop", "--context", "kind-crashlab"], \
        {"KUBECONFIG": str(config)}, EXIT_CLUSTER, (
            f"cannot reach the Kubernetes API at {url} (context kind-crashlab): connection "
            "refused — is the cluster running? try: crashlab cluster up")


CASES = [_answers_unknown_scenario, _answers_unknown_choice, _answers_unknown_question,
         _fix_timeout_zero,
         _answers_not_text, _kubeconfig_not_yaml, _kubeconfig_not_text, _diagnose_file_not_text,
         _grade_only_corrupt, _grade_only_binary, _grade_roster_not_text, _verify_binary,
         _unreachable_other_context, _unreachable_lab_cluster]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.lstrip("_") for c in CASES])
def test_bad_input_ends_with_the_readme_exit_code_and_one_exact_line(tmp_path, case):
    argv, environ, code, message = case(tmp_path)
    result = run_cli(*argv, environ={"NO_COLOR": "1", **environ})
    last = result.stderr.splitlines()[-1] if result.stderr else ""
    assert (result.code, last) == (code, message if code == EXIT_CHECK_FAILED
                                   else f"crashlab: error: {message}"), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_the_readme_states_these_codes():
    stated = re.search(r"Exit codes: (.*?)\.\n\n", README, re.S).group(1)
    assert " ".join(stated.split()) == ("0 ok, 1 a check did not pass, 2 bad input, 3 something "
                                        "missing on this machine, 4 cluster unreachable, 130 "
                                        "interrupted")
    assert (EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_CLUSTER) == (1, 2, 4)


def test_a_closed_pipe_ends_quietly(tmp_path):
    # `crashlab diagnose -o json | head`: the reader goes away before crashlab writes.
    import subprocess
    import sys

    paste = tmp_path / "describe.txt"
    paste.write_text("Last State:     Terminated\n  Reason:       OOMKilled\n  Exit Code:    137\n")
    child = subprocess.Popen([sys.executable, "-m", "runner.cli", "diagnose", "-f", str(paste),
                              "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()
    _, stderr = child.communicate(timeout=60)
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr, stderr.decode()
    assert child.returncode == 0
