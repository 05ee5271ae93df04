from pathlib import Path

from runner import ownership
from runner.catalog import load_catalog
from runner.placement import namespace_name, owner_labels, placement_for


def test_placement_holds_every_name_of_one_scenario_for_one_participant():
    scenario = load_catalog(manifests=False).scenarios["oom-killed"]
    where = placement_for("lab-3", "ada", scenario, "img:1", Path("ws/lab-3"))
    assert where.namespace == namespace_name("ada", "oom-killed") == "crashlab-ada-oom-killed"
    assert where.labels == owner_labels("lab-3", "oom-killed", "ada")
    assert ownership.is_owned(where.labels)
    assert where.labels[ownership.PARTICIPANT_KEY] == "ada"
    assert where.pod_prefix == f"{scenario.workload.name}-"
    assert where.render_args() == {"namespace": "crashlab-ada-oom-killed", "image": "img:1",
                                   "participant": "ada", "lab": "lab-3"}
    assert where.manifest_path == Path("ws/lab-3/oom-killed/oom-killed.yaml")
    assert where.solution_path == Path("ws/lab-3/oom-killed/oom-killed.solution.yaml")


def test_owns_pod_checks_namespace_and_prefix():
    scenario = load_catalog(manifests=False).scenarios["oom-killed"]
    where = placement_for("lab-3", "ada", scenario)
    name = f"{scenario.workload.name}-7d4b9c8f6d-x2x9q"
    assert where.owns_pod({"metadata": {"name": name, "namespace": where.namespace}})
    assert not where.owns_pod({"metadata": {"name": name, "namespace": "other"}})
    assert not where.owns_pod({"metadata": {"name": "other-1", "namespace": where.namespace}})
