"""Every scenario of lab-3 on a real cluster: the same steps as `crashlab selftest`."""

import pytest

from runner.catalog import load_catalog
from runner.selftest import Options, run_selftest

pytestmark = pytest.mark.cluster

CATALOG = load_catalog()
LAB = CATALOG.labs["lab-3"]


@pytest.mark.parametrize("scenario_id", LAB.scenario_ids)
def test_scenario_breaks_and_heals(live_cluster, scenario_id):
    from runner.cluster import connect

    from tests.e2e.test_run_cluster import lab_image

    options = Options(lab="lab-3", participant="e2e", image=lab_image())
    [outcome] = run_selftest(lambda: connect(live_cluster.context), [CATALOG.scenarios[scenario_id]],
                             options)
    assert outcome.ok, outcome.failure_text()
    assert outcome.diagnosed == CATALOG.scenarios[scenario_id].cause
    print(f"{scenario_id}: symptom after {outcome.time_to_symptom:.1f}s, healthy "
          f"{outcome.time_to_healthy:.1f}s after the fix (window {outcome.window}s)")
