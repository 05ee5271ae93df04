"""Shared pieces of the session tests: answers, paths, running the CLI against the harness."""

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from runner import placement
from runner.catalog import load_catalog, render_manifest_text
from tests.cli.helpers import run_cli

RIGHT = {
    "bad-command": {"cause": "bad_command", "evidence": "exec-message"},
    "oom-killed": {"cause": ["app_config", "oom_killed"], "evidence": "oomkilled-137"},
    "invalid-app-config": {"cause": "app_config", "evidence": "previous-logs"},
    "invalid-user": {"cause": "permissions", "evidence": "eacces-log"},
    "failing-liveness-probe": {"cause": "liveness_probe", "evidence": "unhealthy-killing"},
}
PARTICIPANT = "ada"
CATALOG = load_catalog()


@dataclass
class Lab:
    """Where one test's lab run keeps its files, and how to run the CLI on the harness."""

    root: Path
    api: object

    @property
    def results(self) -> Path:
        return self.root / "results" / f"lab-3-{PARTICIPANT}.json"

    @property
    def workspace(self) -> Path:
        return self.root / "workspace" / "lab-3"

    def answers(self, answers: dict | None = None) -> Path:
        path = self.root / "answers.yaml"
        path.write_text(yaml.safe_dump(answers or RIGHT))
        return path

    def run(self, *extra: str, answers: dict | None = None, window: str = "1"):
        return run_cli("run", "lab-3", "--context", self.api.context,
                       "--participant", PARTICIPANT, "--answers", str(self.answers(answers)),
                       "--yes", "--stability-window", window,
                       "--results", str(self.root / "results"),
                       "--workspace", str(self.root / "workspace"), *extra,
                       environ=self.api.environ)

    def record(self) -> dict:
        return json.loads(self.results.read_text())

    def entry(self, scenario_id: str) -> dict:
        return entry_of(self.record(), scenario_id)

    def workspace_file(self, scenario_id: str) -> Path:
        return placement.workspace_file(self.workspace, CATALOG.scenario(scenario_id).slug)

    def write_fix(self, scenario_id: str, edit) -> Path:
        """The reference solution with `edit(objects)` applied, as the learner's file."""
        objects = solution_objects(scenario_id)
        edit(objects)
        path = self.workspace_file(scenario_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(objects, sort_keys=False))
        return path


def entry_of(record: dict, scenario_id: str) -> dict:
    """A scenario's entry in a results file: named by its id, or by its slug before its quiz
    (the id names the cause)."""
    names = (scenario_id, CATALOG.scenario(scenario_id).slug)
    return next(e for e in record["scenarios"] if e["id"] in names)


def namespace(scenario_id: str) -> str:
    return placement.namespace_name(PARTICIPANT, CATALOG.scenario(scenario_id).slug)


def heading(scenario_id: str, lab: str = "lab-3") -> str:
    """How the lab names a scenario before its quiz: its number in the lab and its service."""
    return CATALOG.scenario(scenario_id).heading(CATALOG.lab(lab).scenario_ids.index(scenario_id) + 1)


def solution_objects(scenario_id: str) -> list[dict]:
    scenario = CATALOG.scenario(scenario_id)
    text = render_manifest_text(scenario, "solution", namespace=namespace(scenario_id),
                                participant=PARTICIPANT)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def container(objects: list[dict]) -> dict:
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]["containers"][0]


def pod_spec(objects: list[dict]) -> dict:
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]
