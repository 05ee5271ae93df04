import datetime

from runner import podfacts
from tests.unit.pods import creating_pod, oom_pod, running_pod, with_

UTC = datetime.timezone.utc


def test_parse_time_reads_api_times_and_refuses_the_epoch_and_junk():
    assert podfacts.parse_time("2026-11-25T10:00:00Z") == datetime.datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert podfacts.parse_time("2026-11-25T10:00:00") == datetime.datetime(2026, 11, 25, 10, tzinfo=UTC)
    # containerd's StartError reports startedAt 1970-01-01T00:00:00Z (pod-status-facts section 1)
    assert podfacts.parse_time("1970-01-01T00:00:00Z") is None
    assert podfacts.parse_time("yesterday") is None and podfacts.parse_time(None) is None


def test_container_status_and_restarts_by_name():
    pod = oom_pod(restarts=4)
    assert podfacts.container_status(pod, "app")["lastState"]["terminated"]["exitCode"] == 137
    assert podfacts.container_status(pod, "sidecar") is None
    assert podfacts.restarts(pod, "app") == 4
    assert podfacts.restarts(None, "app") == 0 and podfacts.restarts(pod, "other") == 0


def test_past_creation_is_false_only_while_the_container_is_being_created():
    assert podfacts.past_creation(oom_pod(), "app")
    assert podfacts.past_creation(running_pod(), "app")
    assert not podfacts.past_creation(creating_pod(), "app")
    assert not podfacts.past_creation({"status": {}}, "app")


def test_running_since():
    assert podfacts.running_since(running_pod(), "app") == datetime.datetime(2026, 11, 25, 10, 5, 3,
                                                                            tzinfo=UTC)
    assert podfacts.running_since(oom_pod(), "app") is None


def test_newest_pod_skips_terminating_pods_and_breaks_ties_by_order():
    old, new = oom_pod(uid="a", created="2026-11-25T10:00:00Z"), running_pod(uid="b")
    assert podfacts.newest_pod([new, old]) is new
    assert podfacts.newest_pod([old, with_(new, deletionTimestamp="2026-11-25T10:06:00Z")]) is old
    same_second = [oom_pod(uid="x"), oom_pod(uid="y")]
    assert podfacts.newest_pod(same_second)["metadata"]["uid"] == "y"
    assert podfacts.newest_pod([]) is None


def test_template_hash():
    assert podfacts.template_hash(oom_pod()) == "7d4b9c8f6d"
    assert podfacts.template_hash({"metadata": {}}) is None


def test_a_pod_of_a_workload_is_named_workload_hash_suffix():
    from runner.podfacts import is_pod_of

    assert is_pod_of("orders-7c9f5b7f4-x2k8q", "orders-")
    assert not is_pod_of("orders-store-5sc9bp4bk2-xz7xj", "orders-")   # the backend's pod
    assert is_pod_of("orders-store-5sc9bp4bk2-xz7xj", "orders-store-")
    assert not is_pod_of("billing-7c9f-x2k8q", "orders-")
    assert is_pod_of("anything-at-all-x", "")
