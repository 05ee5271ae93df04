"""The resume hint: the exact command, every flag the run was given, shell-quoted."""

import shlex
from pathlib import Path

from runner.session import SessionOptions


def _options(**changes):
    return SessionOptions(lab="lab-3", participant="ada",
                          results_path=Path("my results/lab-3-ada.json"),
                          workspace=Path("work space/lab-3"), **changes)


def test_a_default_kind_run_resumes_with_its_folders():
    assert _options().resume_command() == (
        "crashlab run lab-3 --participant ada --results 'my results' --workspace 'work space'")


def test_every_flag_is_kept():
    options = _options(kind=False, context="aks-prod", image="acr.io/lab-app:1", only="oom-killed",
                       guided=True, answers="a b.yaml", unattended=True, solve=True, yes=True,
                       stability_window=5, fix_timeout=30.0)
    argv = shlex.split(options.resume_command())
    assert argv == ["crashlab", "run", "lab-3", "--participant", "ada", "--context", "aks-prod",
                    "--image", "acr.io/lab-app:1", "--results", "my results",
                    "--workspace", "work space", "--only", "oom-killed", "--guided",
                    "--answers", "a b.yaml", "--solve", "--yes", "--stability-window", "5",
                    "--fix-timeout", "30"]
    assert not options.patient


def test_a_kind_cluster_of_another_name_is_named():
    assert "--name lab2" in _options(cluster_name="lab2").resume_command()
    assert _options().patient


def test_a_mystery_round_resumes_with_its_size_seed_and_every_flag():
    options = SessionOptions(lab="mystery", participant="ada",
                             results_path=Path("my results/mystery-ada.json"),
                             workspace=Path("ws/mystery"), kind=False, context="kind-x",
                             mystery=("lab-3", 4, "s1"), answers="a.yaml", yes=True)
    assert shlex.split(options.resume_command()) == [
        "crashlab", "run", "lab-3", "--mystery", "4", "--seed", "s1", "--participant", "ada",
        "--context", "kind-x", "--results", "my results", "--workspace", "ws",
        "--answers", "a.yaml", "--yes"]
