from pathlib import Path

from runner import ownership
from runner.catalog import load_catalog
from runner.placement import namespace_name, owner_labels, placement_for, scenario_key


def test_placement_holds_every_name_of_one_scenario_for_one_participant():
    scenario = load_catalog(manifests=False).scenarios["oom-killed"]
    where = placement_for("lab-3", "ada", scenario, "img:1", Path("ws/lab-3"))
    # Named after the service (the slug) and keyed by an opaque hash: the id names the cause.
    assert where.namespace == namespace_name("ada", "report-builder") == "crashlab-ada-report-builder"
    assert where.labels == owner_labels("lab-3", scenario.key, "ada")
    assert where.labels[ownership.SCENARIO_KEY] == scenario_key("report-builder") == scenario.key
    assert "oom" not in where.labels[ownership.SCENARIO_KEY]
    assert ownership.is_owned(where.labels)
    assert where.labels[ownership.PARTICIPANT_KEY] == "ada"
    assert where.pod_prefix == f"{scenario.workload.name}-"
    assert where.render_args() == {"namespace": "crashlab-ada-report-builder", "image": "img:1",
                                   "participant": "ada", "lab": "lab-3"}
    assert where.manifest_path == Path("ws/lab-3/report-builder/report-builder.yaml")
    assert where.solution_path == Path("ws/lab-3/report-builder/report-builder.solution.yaml")


def test_owns_pod_checks_namespace_and_prefix():
    scenario = load_catalog(manifests=False).scenarios["oom-killed"]
    where = placement_for("lab-3", "ada", scenario)
    name = f"{scenario.workload.name}-7d4b9c8f6d-x2x9q"
    assert where.owns_pod({"metadata": {"name": name, "namespace": where.namespace}})
    assert not where.owns_pod({"metadata": {"name": name, "namespace": "other"}})
    assert not where.owns_pod({"metadata": {"name": "other-1", "namespace": where.namespace}})
