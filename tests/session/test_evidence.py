"""Evidence without the verdict: before the cause question "Show me where to look" lists the
fields the flowchart reads with this pod's values (a hint); the diagnosis comes after."""

import pytest

from runner.diagnose.model import SUMMARIES, cause_name
from tests.session.helpers import CATALOG, RIGHT, Lab


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def test_where_to_look_before_the_quiz_and_the_diagnosis_after(lab):
    lab.write_fix("oom-killed", lambda objects: None)
    answers = {"oom-killed": {**RIGHT["oom-killed"], "menu": ["evidence", "hint", "quiz"],
                              "fix": ["evidence", "apply"]}}

    result = lab.run("--only", "oom-killed", answers=answers)

    assert result.code == 0, result.stderr
    text = result.stdout
    before, after = text.split("✓ ", 1)            # the cause question's right answer
    assert "--- where to look: report-builder-" in before
    assert "Last State (kubectl describe pod): Terminated, Reason OOMKilled, Exit Code 137" \
        in before
    assert "Previous logs (kubectl logs --previous):" in before
    assert "hint 1 of 3" in before, "where-to-look does not use up the scenario's first hint"
    assert "Cause:" not in before and "oom_killed" not in before
    assert not any(summary in before for summary in SUMMARIES.values())
    assert f"Cause: {cause_name('oom_killed')} (" in after, "the evidence panel, after the cause"
    assert "kubectl top" not in text, "the emulator serves no metrics API"
    scenario = CATALOG.scenario("oom-killed")
    assert scenario.sample_title not in before and f"--- what happened: {scenario.sample_title}" \
        in after
    targeted = [c for c in scenario.kubectl if c not in scenario.investigate and "top" not in c]
    ns = lab.entry("oom-killed")["namespace"]
    assert targeted and all(c.replace("{namespace}", ns) not in before for c in targeted)
    assert all(c.replace("{namespace}", ns) in after for c in targeted)
    entry = lab.entry("oom-killed")
    assert entry["hintsShown"] == 2 and entry["whereToLookShown"] == 1
    assert entry["evidenceShown"] == 1


def test_header_is_neutral_unless_guided(lab):
    plain = lab.run("--only", "oom-killed", "--solve")
    assert plain.code == 0, plain.stderr
    assert "== 2 · report-builder ==" in plain.stdout
    assert "guided" not in lab.record()

    lab.results.unlink()
    guided = lab.run("--only", "bad-command", "--solve", "--guided")
    assert guided.code == 0, guided.stderr
    title = CATALOG.scenario("bad-command").sample_title
    assert f"== {title} (1 · " in guided.stdout
    assert lab.record()["guided"] is True


def test_port_forward_is_not_suggested_without_the_right(lab):
    # --context (not kind) and a server that cannot answer an access review: leave it out
    result = lab.run("--only", "failing-liveness-probe", "--solve")
    assert result.code == 0, result.stderr
    assert "Commands worth running:" in result.stdout
    assert "port-forward" not in result.stdout


def test_a_wrong_cause_shows_the_pods_fields_not_the_diagnosis(lab):
    result = lab.run("--only", "oom-killed", "--solve")   # RIGHT tries app_config first
    assert result.code == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("  Your pod: "))
    assert "your container's last state was OOMKilled, exit code 137" in line
    assert " — " not in line and "status.containerStatuses" not in line
