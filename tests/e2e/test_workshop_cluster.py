"""Workshop RBAC on a real API server: prepare, a participant's rights, live grade, teardown."""

import pytest
import yaml

from runner import placement, workshop
from runner.catalog import load_catalog
from runner.errors import ClusterError

pytestmark = pytest.mark.cluster

LAB = load_catalog().labs["lab-3"]


def test_prepare_grants_the_lab_and_nothing_more(live_cluster, tmp_path):
    from runner.cluster import connect

    written = workshop.prepare(live_cluster, LAB, ["e2e-ws"], tmp_path, token_seconds=3600)
    try:
        config = written["e2e-ws"]
        assert yaml.safe_load(config.read_text())["users"][0]["user"]["token"]
        participant = connect(live_cluster.context, str(config))
        ns = placement.namespace_name("e2e-ws", "oom-killed")
        assert participant.get_namespace(ns) is not None
        assert participant.list_pods(ns) == []
        with pytest.raises(ClusterError):
            participant.list("Namespace")
        with pytest.raises(ClusterError):
            participant.list("Pod")
        participant.close()
        snapshot = workshop.read_live_snapshot(live_cluster, "lab-3")
        assert any(n["metadata"]["name"] == ns for n in snapshot["namespaces"])
    finally:
        workshop.teardown(live_cluster, "lab-3")
