"""`crashlab list|show|render` as a user runs them: output, exit codes, one-line errors."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from runner.catalog import load_catalog
from runner.manifest_check import schema_problem
from tests.cli.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT, manifests=False)
LAB_3 = ["bad-command", "oom-killed", "invalid-app-config", "invalid-user", "failing-liveness-probe"]
LAB_3_PLUS = ["slow-start", "probe-timeout", "missing-credentials", "dependency-unreachable",
              "wrong-service-account", "exits-zero", "readiness-only"]


def _listed(stdout):
    """lab id -> the scenario ids listed under it, in order."""
    labs, current = {}, None
    for line in stdout.splitlines():
        if line.startswith("  "):  # neutral ("2 · report-builder"): the name shown finds the scenario
            labs[current].append(CATALOG.scenario(line.split()[2]).id)
        elif line.strip():
            current = line.split()[0]
            labs[current] = []
    return labs


def test_list_shows_the_five_lab_3_scenarios_in_order():
    result = run_cli("list")
    assert result.code == 0 and result.stderr == ""
    assert _listed(result.stdout)["lab-3"] == LAB_3
    assert _listed(run_cli("list", "--lab", "lab-3").stdout) == {"lab-3": LAB_3}


def test_list_shows_lab_3_plus_with_its_seven_scenarios():
    result = run_cli("list")
    assert result.code == 0 and result.stderr == ""
    assert _listed(result.stdout) == {"lab-3": LAB_3, "lab-3-plus": LAB_3_PLUS}
    numbers = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert numbers[:5] == ["1", "2", "3", "4", "5"]


def test_render_prints_valid_yaml_for_every_scenario_and_variant():
    for scenario in LAB_3:
        for flags in ([], ["--solution"]):
            result = run_cli("render", scenario, *flags, "--participant", "ada")
            assert result.code == 0, result.stderr
            objects = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
            assert objects and all(schema_problem(obj) is None for obj in objects)
            assert {obj["metadata"]["namespace"] for obj in objects} == {f"crashlab-ada-{CATALOG.scenario(scenario).slug}"}


def test_render_namespace_flag():
    result = run_cli("render", "oom-killed", "-n", "workshop-7")
    assert "namespace: workshop-7" in result.stdout


def test_unknown_scenario_and_bad_participant_are_one_line_errors():
    result = run_cli("render", "nope")
    assert result.code == 2 and result.stdout == ""
    slugs = sorted(scenario.slug for scenario in CATALOG.scenarios.values())
    assert len(slugs) == 12
    assert result.stderr.strip().splitlines() == [
        f"crashlab: error: no scenario 'nope'; available: {', '.join(slugs)} (see: crashlab list)"]
    assert not any(scenario_id in result.stderr for scenario_id in CATALOG.scenarios)
    result = run_cli("render", "oom-killed", "--participant", "Ada Lovelace")
    assert result.code == 2 and result.stderr.count("\n") == 1 and "--participant 'Ada Lovelace'" in result.stderr


def test_show_hides_the_answer_unless_asked():
    plain = run_cli("show", "oom-killed")
    assert plain.code == 0 and "Hints:" in plain.stdout and "OOMKilled, Exit Code: 137" not in plain.stdout
    spoilers = run_cli("show", "oom-killed", "--spoilers")
    assert "Last State: Terminated, Reason: OOMKilled, Exit Code: 137" in spoilers.stdout


def test_a_broken_scenario_file_gives_one_line_naming_file_and_field(tmp_path, monkeypatch):
    for folder in ("labs", "scenarios", "manifests"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    path = tmp_path / "scenarios" / "invalid-user.yaml"
    path.write_text(path.read_text().replace("cause: permissions", "cause: perms"))
    monkeypatch.setenv("CRASHLAB_HOME", str(tmp_path))
    result = run_cli("list")
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"crashlab: error: {path}: spec.cause: 'perms' is not one of: bad_command, oom_killed, "
        "app_config, permissions, liveness_probe, slow_start, probe_timeout, missing_credentials, "
        "dependency_unreachable, service_account, exits_zero, readiness_probe"]
    assert "Traceback" not in result.stderr


def test_help_does_not_import_kubernetes():
    code = ("import sys; from runner.cli import main; main(['--help']); "
            "print(sorted(m for m in sys.modules if m == 'kubernetes' or m.startswith('kubernetes.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_no_command_prints_help_and_exits_2():
    result = run_cli()
    assert result.code == 2 and "usage: crashlab" in result.stdout


def test_every_listed_command_is_registered_by_its_module_and_nothing_else():
    import importlib

    from runner.cli import COMMANDS

    class Names:
        def __init__(self):
            self.names = []

        def add_parser(self, name, **kwargs):
            import argparse

            self.names.append(name)
            return argparse.ArgumentParser(prog=name)

    for module in {module for module, _ in COMMANDS.values()}:
        names = Names()
        importlib.import_module(f"runner.cli.{module}").register(names)
        assert sorted(names.names) == sorted(c for c, (m, _) in COMMANDS.items() if m == module)


def test_an_unknown_command_gets_a_suggestion():
    result = run_cli("rendr", "oom-killed")
    assert result.code == 2
    assert result.stderr == "crashlab: error: no command 'rendr'; did you mean 'render'? see: crashlab --help\n"


def test_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "runner.cli", "--help"], capture_output=True, text=True,
                         cwd=ROOT)
    from runner.cli import COMMANDS

    assert out.returncode == 0
    assert all(f"  {name:<10}" in out.stdout for name in COMMANDS)
