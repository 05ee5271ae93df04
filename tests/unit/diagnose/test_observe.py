"""The workshop's three KQL queries, run locally over pod and event dicts, and rendered as KQL."""

from datetime import datetime, timedelta, timezone

import pytest

from runner.diagnose.observe import (count_warnings, find_crashlooping, find_restarting,
                                     parse_timespan, quote_kql_string, render_kql)
from runner.errors import UsageError
from tests.unit.diagnose.helpers import container_status, event, pod

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


def finished(minutes_ago):
    return {"reason": "Error", "exitCode": 1,
            "finishedAt": (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")}


PODS = [
    pod(container_status("app", state={"waiting": {"reason": "CrashLoopBackOff"}}, last=finished(3), restarts=9),
        name="hot", namespace="a"),
    pod(container_status("app", state={"running": {}}, last=finished(300), restarts=40), name="old", namespace="a"),
    pod(container_status("app", state={"running": {}}, last=finished(1), restarts=5), name="five", namespace="b"),
    pod(container_status("app", state={"waiting": {"reason": "CrashLoopBackOff"}}), name="nots", namespace="b",
        init=[container_status("init", state={"waiting": {"reason": "CrashLoopBackOff"}}, restarts=7)]),
]


def test_restarting_more_than_five_within_the_window():
    rows = find_restarting(PODS, NOW, timedelta(hours=1))
    assert [(r.pod, r.container, r.restarts) for r in rows] == [("hot", "app", 9), ("nots", "init", 7)]
    assert rows[0].last_restart == NOW - timedelta(minutes=3)
    assert rows[1].last_restart is None  # no timestamp: kept, cannot be ruled out


def test_wider_window_includes_older_restarts():
    assert {r.pod for r in find_restarting(PODS, NOW, timedelta(hours=6))} == {"hot", "old", "nots"}


def test_crashlooping_now_includes_init_containers():
    rows = find_crashlooping(PODS)
    assert [(r.namespace, r.pod, r.container) for r in rows] == [
        ("a", "hot", "app"), ("b", "nots", "init"), ("b", "nots", "app")]


def test_crashlooping_rows_carry_the_likely_cause():
    events = [event("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500",
                    pod_name="hot", container="app"),
              event("Killing", "Container app failed liveness probe, will be restarted", type_="Normal",
                    pod_name="hot")]
    for item in events:
        item["involvedObject"]["namespace"] = "a"  # the pod's namespace: events are matched by it
    rows = {(r.pod, r.container): r.cause for r in find_crashlooping(PODS, events)}
    assert rows[("hot", "app")] == "liveness_probe"
    assert rows[("nots", "init")] == "init_container"
    assert {r.cause for r in find_crashlooping(PODS)} >= {"app_config", "init_container"}


def test_warnings_summed_by_namespace_and_reason_most_first():
    events = [event("BackOff", "Back-off restarting failed container", count=12),
              event("BackOff", "Back-off restarting failed container", count=3),
              event("Unhealthy", "Liveness probe failed", count=4),
              event("Pulled", "Container image already present", type_="Normal", count=50),
              {"type": "Warning", "reason": "FailedMount", "note": "x", "series": {"count": 20},
               "regarding": {"kind": "Pod", "name": "p", "namespace": "b"}}]
    rows = count_warnings(events)
    assert [(r.namespace, r.reason, r.count) for r in rows] == [
        ("b", "FailedMount", 20), ("lab", "BackOff", 15), ("lab", "Unhealthy", 4)]


def test_warnings_outside_the_window_are_left_out():
    old = dict(event("BackOff", "x"), lastTimestamp="2025-05-01T00:00:00Z")
    new = dict(event("BackOff", "x"), lastTimestamp="2025-06-01T11:00:00Z")
    rows = count_warnings([old, new], NOW, timedelta(days=1))
    assert [r.count for r in rows] == [1]


def test_render_kql_matches_the_workshop_queries():
    text = render_kql("ktb-aks")
    assert 'KubePodInventory\n| where ClusterName == "ktb-aks"\n| where TimeGenerated > ago(1h)\n' \
           "| where ContainerRestartCount > 5\n| project Name, Namespace, ContainerID, ContainerRestartCount" in text
    assert '| where ContainerStatusReason == "CrashLoopBackOff"' in text
    assert "| summarize Count=count() by Namespace, Reason\n| order by Count desc" in text
    assert text.count("ago(1d)") == 2


def test_render_kql_escapes_the_cluster_name_and_applies_since():
    text = render_kql('x" or 1==1 //\nevil', since="2h")
    assert '| where ClusterName == "x\\" or 1==1 //\\nevil"' in text
    assert text.count("ago(2h)") == 3
    assert quote_kql_string("a\\b") == '"a\\\\b"'


@pytest.mark.parametrize("bad", ["", "1 hour", "h1", "1w"])
def test_bad_durations_and_names_are_usage_errors(bad):
    with pytest.raises(UsageError):
        parse_timespan(bad)
    with pytest.raises(UsageError, match="--cluster-name"):
        render_kql(" ")


def test_timespans():
    assert parse_timespan("90s") == timedelta(seconds=90)
    assert parse_timespan("1d") == timedelta(days=1)
