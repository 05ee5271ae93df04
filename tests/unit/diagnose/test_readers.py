"""Readers: each pasted form -> pod/events/logs; only InputError for unusable input."""

import json

import pytest

from runner.diagnose.read_describe import parse_describe_time
from runner.diagnose.readers import (read_all, read_any, read_describe_text, read_events_text,
                                     read_pod_object, read_pods_table)
from runner.errors import InputError
from tests.unit.diagnose.helpers import fixture_text


def test_describe_text_becomes_a_pod_with_state_last_state_and_spec():
    pod, events = read_describe_text(fixture_text("bad_command__describe.txt"))
    status = pod["status"]["containerStatuses"][0]
    assert pod["metadata"] == {"name": "bad-command-6d8f7c9b5-x2k4q", "namespace": "crashlab-ana-bad-command"}
    assert status["state"] == {"waiting": {"reason": "CrashLoopBackOff"}}
    last = status["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"], last["startedAt"]) == ("StartError", 128, "1970-01-01T00:00:00Z")
    assert last["finishedAt"] == "2025-11-20T10:04:31Z"
    assert status["restartCount"] == 3 and status["ready"] is False
    assert pod["spec"]["containers"][0]["command"] == ["lab-app-server"]
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"memory": "128Mi"}
    assert [(e["reason"], e["count"]) for e in events] == [
        ("Scheduled", 1), ("Pulled", 5), ("Created", 5), ("Failed", 5), ("BackOff", 10)]


def test_describe_probe_lines_become_probe_specs():
    pod, _ = read_describe_text(fixture_text("liveness_probe__describe.txt"))
    probe = pod["spec"]["containers"][0]["livenessProbe"]
    assert probe["httpGet"] == {"scheme": "HTTP", "port": 8080, "path": "/health"}
    assert (probe["periodSeconds"], probe["failureThreshold"]) == (5, 3)


def test_flattened_describe_without_indentation():
    text = "\n".join(line.strip() for line in fixture_text("oom_killed__docker_describe.txt").splitlines())
    pod, _, _ = read_any(text)
    status = pod["status"]["containerStatuses"][0]
    assert status["name"] == "memtest"
    assert status["lastState"]["terminated"]["reason"] == "OOMKilled"


def test_old_tab_separated_describe():
    text = "Name:\t\t\tweb\nNamespace:\t\tdefault\nContainers:\n  web:\n    Image:\t\tnginx\n" \
           "    State:\t\tWaiting\n      Reason:\t\tCrashLoopBackOff\n    Last State:\t\tTerminated\n" \
           "      Reason:\t\tError\n      Exit Code:\t\t137\n    Restart Count:\t5\n"
    pod, _, _ = read_any(text)
    assert pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 137


def test_wrapped_message_lines_are_joined():
    text = ("    Last State:     Terminated\n      Reason:       StartError\n"
            "      Message:      failed to create containerd task: failed to create shim task:\n"
            "  OCI runtime create failed: exec: \"x\": executable file not found in $PATH: unknown\n"
            "      Exit Code:    128\n")
    pod, _ = read_describe_text(text)
    last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert "executable file not found" in last["message"] and last["exitCode"] == 128


def test_get_pods_rows_with_namespace_and_restart_age():
    pods = read_pods_table("NAMESPACE  NAME  READY  STATUS  RESTARTS  AGE\n"
                           "lab  web-1  0/1  CrashLoopBackOff  5 (2m ago)  9m\n"
                           "lab  db-0   0/1  Init:CrashLoopBackOff  3  9m\n")
    assert pods[0]["metadata"] == {"name": "web-1", "namespace": "lab"}
    assert pods[0]["status"]["containerStatuses"][0]["restartCount"] == 5
    assert pods[1]["status"]["initContainerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"


def test_read_any_picks_the_troubled_pod_among_rows():
    pod, _, _ = read_any(fixture_text("unknown__crashloop_row_only.txt"))
    assert pod["metadata"]["name"] == "elasticsearch-attiy"


@pytest.mark.parametrize("line, reason, count, container", [
    ("20s   Warning   BackOff   pod/web-1   Back-off restarting failed container web in pod web-1_lab(1)",
     "BackOff", 1, "web"),
    ("5m  1h  20  web-1.15a  Pod  spec.containers{web}  Warning  BackOff  kubelet, node1  "
     "Back-off restarting failed container", "BackOff", 20, "web"),
    ("  Warning  Unhealthy  6s (x4 over 18s)  kubelet  Liveness probe failed: HTTP probe failed with "
     "statuscode: 404", "Unhealthy", 4, None),
])
def test_event_rows(line, reason, count, container):
    from runner.diagnose.events import normalize_event

    [raw] = read_events_text(line)
    event = normalize_event(raw)
    assert (event.reason, event.count, event.container) == (reason, count, container)


def test_bare_kubelet_messages_become_events():
    events = read_events_text("Container app failed liveness probe, will be restarted\n"
                              'Error: configmap "cfg" not found\n')
    assert [(e["type"], e["reason"]) for e in events] == [("Normal", "Killing"), ("Warning", "Failed")]


def test_yaml_status_fragment_and_single_container_state():
    pod, _ = read_pod_object("status:\n  containerStatuses:\n  - name: app\n    restartCount: 2\n"
                             "    lastState:\n      terminated: {reason: OOMKilled, exitCode: 137}\n")
    assert pod["status"]["containerStatuses"][0]["name"] == "app"
    pod, _ = read_pod_object("terminated:\n  exitCode: 128\n  reason: StartError\n")
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "StartError"


def test_cut_off_json_is_closed_and_read():
    text = json.dumps({"kind": "Pod", "metadata": {"name": "p"}, "status": {"containerStatuses": [
        {"name": "a", "restartCount": 2, "lastState": {"terminated": {"reason": "OOMKilled"}},
         "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}, indent=2)
    pod, _ = read_pod_object(text[: text.index('"state"') + 12])
    assert pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"] == "OOMKilled"


def test_cut_off_yaml_is_trimmed_and_read():
    text = fixture_text("oom_killed__containerd.yaml")
    pod, _ = read_pod_object(text[: text.index("message: back-off") + 20])
    assert pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"] == "OOMKilled"


def test_list_of_pod_and_events():
    pod, events = read_pod_object(fixture_text("liveness_probe__list.yaml"))
    assert pod["metadata"]["name"] == "probe-demo" and len(events) == 2


def test_prompt_sections_split_previous_logs_from_current():
    text = "$ kubectl logs web\nINFO up\n$ kubectl logs web --previous\nFATAL down\n"
    _, _, logs, previous = read_all(text)
    assert (logs, previous) == ("INFO up", "FATAL down")


def test_plain_text_is_logs():
    assert read_any("just some log line") == (None, [], "just some log line")


@pytest.mark.parametrize("text, message", [
    ("", "cannot read pod.txt: it is empty"),
    ("   \n\n", "cannot read pod.txt: it is empty"),
    ("\x00\x01\x02binary", "cannot read pod.txt: binary data, not kubectl output or logs"),
    ("apiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
     "cannot read pod.txt: found a Service, not a pod, its events or logs"),
])
def test_unusable_input_is_one_input_error_line(text, message):
    with pytest.raises(InputError) as problem:
        read_any(text, "pod.txt")
    assert str(problem.value) == message


def test_explicit_readers_refuse_the_wrong_shape():
    with pytest.raises(InputError, match="no `kubectl get pods` rows"):
        read_pods_table("hello")
    with pytest.raises(InputError, match="no events"):
        read_events_text("hello")
    with pytest.raises(InputError, match="no pod or event"):
        read_pod_object("a: 1")


def test_describe_time_formats():
    assert parse_describe_time("Thu, 01 Jan 1970 00:00:00 +0000") == "1970-01-01T00:00:00Z"
    assert parse_describe_time("Fri, 15 Sep 2023 09:56:14 +0200") == "2023-09-15T07:56:14Z"
    assert parse_describe_time("yesterday") == "yesterday"


def test_plain_program_output_is_read_as_logs_and_prose_is_refused():
    _, _, logs, _ = read_all("Server running on port 3000\nConnected to redis\nUsing config production\n")
    assert logs.startswith("Server running")
    with pytest.raises(InputError, match="^cannot read input: it is not kubectl output or container logs"):
        read_all("Dear team,\nthe offsite is moved to the big room on the third floor.\n"
                 "Bring a jacket because it gets cold.\nSee you all there, Kim\n")


def test_colour_codes_and_crlf_are_removed():
    text = "\x1b[33mNAME    READY   STATUS      RESTARTS   AGE\x1b[0m\r\nweb-0   0/1     \x1b[31mOOMKilled\x1b[0m   2          1m\r\n"
    pod, _, _, _ = read_all(text)
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "OOMKilled"


def test_kubectl_135_prefix_moves_into_the_field_path():
    _, events = read_describe_text("  Warning  BackOff  5s (x3 over 1m)  kubelet  spec.initContainers{migrate}: "
                                   "Back-off restarting failed container migrate in pod web-0_shop(1)\n")
    from runner.diagnose.events import normalize_event
    event = normalize_event(events[0])
    assert (event.container, event.message) == (
        "migrate", "Back-off restarting failed container migrate in pod web-0_shop(1)")
