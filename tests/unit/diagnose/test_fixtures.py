"""Every fixture file is diagnosed as the cause its name starts with (`<cause>__<variant>`)."""

import pytest

from runner.diagnose import CAUSES, diagnose
from runner.diagnose.readers import read_all
from tests.unit.diagnose.helpers import FIXTURES, fixture_text

FILES = sorted(p.name for p in FIXTURES.iterdir() if "__" in p.name)


def diagnose_file(name):
    pod, events, logs, previous = read_all(fixture_text(name), name)
    return diagnose(pod, events, logs, previous)


def test_every_cause_has_fixtures():
    causes = {name.split("__")[0] for name in FILES}
    assert causes == set(CAUSES)


@pytest.mark.parametrize("name", FILES)
def test_fixture_is_diagnosed_as_its_cause(name):
    result = diagnose_file(name)
    assert result.cause == name.split("__")[0], result.evidence
    if result.cause != "unknown":
        assert result.evidence


@pytest.mark.parametrize("name, container, line", [
    ("bad_command__describe.txt", "app",
     "status.containerStatuses[app].lastState.terminated.reason = StartError"),
    ("bad_command__docker.json", "api",
     "status.containerStatuses[api].lastState.terminated.exitCode = 127"),
    ("bad_command__init_container.yaml", "migrate",
     "status.initContainerStatuses[migrate].lastState.terminated.reason = StartError"),
    ("oom_killed__multi_container.yaml", "api",
     "status.containerStatuses[api].lastState.terminated.reason = OOMKilled"),
    ("oom_killed__exit1_describe.txt", None,
     "status.containerStatuses[0].lastState.terminated.exitCode = 1"),
    ("liveness_probe__describe.txt", "app",
     "event Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 404 (x12)"),
    ("permissions__exit1_with_logs.txt", None,
     "logs --previous: 2025-11-20T10:30:00Z FATAL cannot prepare data directory: "
     "mkdir /var/lib/lab-app/cache: Permission denied (errno 13)"),
    ("missing_config__volume_describe.txt", "api",
     'event FailedMount: MountVolume.SetUp failed for volume "config" : configmap "api-config" '
     "not found (x9)"),
])
def test_fixture_names_the_container_and_the_decisive_line(name, container, line):
    result = diagnose_file(name)
    assert result.container == container
    assert line in result.evidence


def test_cut_off_reason_is_completed_from_known_reasons():
    result = diagnose_file("oom_killed__describe_cut_in_reason.txt")
    assert result.evidence[0].endswith("lastState.terminated.reason = OOMKilled")


def test_lab_app_config_failure_points_at_the_missing_setting():
    result = diagnose_file("app_config__describe_with_logs.txt")
    assert result.confidence == "high"
    assert any(line.startswith("logs --previous: ") and "backend.url" in line for line in result.evidence)
    assert "kubectl logs invalid-app-config-5c9d-7hx2p -n crashlab-ana-invalid-app-config -c app --previous" \
        in result.next


def test_missing_config_suggests_getting_the_named_configmap():
    result = diagnose_file("missing_config__env_describe.txt")
    assert "kubectl get configmap/api-config -n shop" in result.next


@pytest.mark.parametrize("name, container, cause", [
    ("liveness_probe__kubectl135_describe.txt", "web", "liveness_probe"),
    ("startup_probe__kubectl135_events.txt", "catalog", "startup_probe"),
])
def test_kubectl_135_field_path_prefix_keeps_the_container(name, container, cause):
    # kubectl 1.35+ describe prints `spec.containers{web}: ` before each event message
    # (kubernetes PR #133627): the prefix names the container, and is not part of the message.
    result = diagnose_file(name)
    assert (result.cause, result.container) == (cause, container)
    assert all("spec.containers{" not in line for line in result.evidence)
