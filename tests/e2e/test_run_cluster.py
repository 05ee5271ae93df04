"""The learner's path on a real cluster: `crashlab run lab-3 --answers … --solve --yes`, the
same steps selftest runs, driven by the session (quiz, workspace, records)."""

import json
import os

import pytest
import yaml

from runner.catalog import DEFAULT_IMAGE
from tests.cli.helpers import run_cli
from tests.session.helpers import RIGHT

pytestmark = pytest.mark.cluster

PARTICIPANT = "e2e-run"


def lab_image() -> str:
    """CRASHLAB_E2E_IMAGE, else the lab's own tag (what `crashlab cluster up` loads)."""
    return os.environ.get("CRASHLAB_E2E_IMAGE") or DEFAULT_IMAGE


def test_the_learners_path_runs_on_the_cluster(live_cluster, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(RIGHT), encoding="utf-8")
    common = ["--context", live_cluster.context, "--participant", PARTICIPANT]
    try:
        result = run_cli("run", "lab-3", *common, "--answers", str(answers), "--solve", "--yes",
                         "--image", lab_image(), "--results", str(tmp_path / "results"),
                         "--workspace", str(tmp_path / "workspace"),
                         environ={"NO_COLOR": "1"})
        assert result.code == 0, result.stdout[-3000:] + result.stderr
        record = json.loads((tmp_path / "results" / f"lab-3-{PARTICIPANT}.json").read_text())
        assert {item["id"]: item["status"] for item in record["scenarios"]} == \
            {scenario: "revealed" for scenario in RIGHT}   # --solve applies the reference solution
        assert all(item["verification"]["podUid"] for item in record["scenarios"])
    finally:
        run_cli("clean", "--context", live_cluster.context, "--participant", PARTICIPANT)
