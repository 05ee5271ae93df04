"""The class view's pure model: states from records and pods, needs-help rules, sorting."""

import datetime

from runner import placement, results, workshop
from runner.results import records
from runner.classview import Thresholds, build_view
from runner.grade import Checked

NOW = datetime.datetime(2026, 11, 25, 11, 0, tzinfo=datetime.timezone.utc)
SCENARIOS = ("bad-command", "failing-liveness-probe")


def _iso(minutes_ago):
    return results.now_iso(NOW - datetime.timedelta(minutes=minutes_ago))


def _ns(participant, scenario):
    return {"metadata": {"name": placement.namespace_name(participant, scenario),
                         "labels": workshop.workshop_labels("lab-3", scenario, participant)}}


def _pod(participant, scenario, container_status):
    return {"metadata": {"name": "web-5d8f-abcde",
                         "namespace": placement.namespace_name(participant, scenario),
                         "labels": placement.owner_labels("lab-3", scenario, participant)},
            "status": {"phase": "Running", "containerStatuses": [container_status]}}


# pod-status-facts.md §5: a liveness kill shows Running, READY 0/1, rising restarts, exit 137
LIVENESS = {"name": "app", "ready": False, "restartCount": 3,
            "state": {"running": {"startedAt": "2026-11-25T10:58:00Z"}},
            "lastState": {"terminated": {"reason": "Error", "exitCode": 137}}}
# §1: StartError, exit 128, then CrashLoopBackOff
BAD_COMMAND = {"name": "app", "ready": False, "restartCount": 2,
               "state": {"waiting": {"reason": "CrashLoopBackOff",
                                     "message": "back-off 20s restarting failed container=app "
                                                "pod=web-5d8f-abcde_ns(uid)"}},
               "lastState": {"terminated": {"reason": "StartError", "exitCode": 128}}}


def _record(participant, updated, **entries):
    record = records.new_record("lab-3", participant, SCENARIOS, started_at=_iso(60))
    record["updatedAt"] = _iso(updated)
    for entry in record["scenarios"]:
        entry.update(entries.get(entry["id"].replace("-", "_"), {}))
    return Checked(f"configmap/{participant}", record, "ok")


def test_states_come_from_the_record_first_and_the_pod_otherwise():
    view = build_view("lab-3", SCENARIOS,
                      namespaces=[_ns("ada", s) for s in SCENARIOS],
                      pods=[_pod("ada", "bad-command", BAD_COMMAND),
                            _pod("ada", "failing-liveness-probe", LIVENESS)],
                      checked=[], now=NOW)
    row = view.row("ada")
    assert [c.state for c in row.cells] == ["crash-looping", "crash-looping"]
    assert [c.pod for c in row.cells] == ["CrashLoopBackOff, 2 restarts",
                                          "Running, not ready, 3 restarts"]
    assert row.trust == "none" and not row.needs_help and view.most_stuck is None


def test_needs_help_first_and_each_reason_in_words():
    wrong = [{"answer": "app_config", "correct": False, "at": _iso(2)}] * 3
    calm = _record("bea", 1, bad_command={"status": "verified"},
                   failing_liveness_probe={"status": "investigating", "startedAt": _iso(5)})
    stuck = _record("zed", 1, bad_command={"status": "investigating", "startedAt": _iso(30),
                                           "quiz": {"cause": {"attempts": wrong},
                                                    "evidence": {"attempts": []}}})
    idle = _record("max", 12, bad_command={"status": "investigating", "startedAt": _iso(12)})
    namespaces = [_ns(p, s) for p in ("bea", "zed", "max") for s in SCENARIOS]
    pods = [_pod("bea", "failing-liveness-probe", LIVENESS), _pod("zed", "bad-command", BAD_COMMAND),
            _pod("max", "bad-command", BAD_COMMAND)]
    view = build_view("lab-3", SCENARIOS, namespaces, pods, [], [calm, stuck, idle], now=NOW)
    assert [r.participant for r in view.rows] == ["max", "zed", "bea"]
    assert view.row("zed").help == ("3 wrong answers on bad-command",)
    assert view.row("zed").cells[0].state == "answered" and view.row("zed").cells[0].tries == 3
    assert view.row("max").help == ("no progress for 12 min",)
    assert view.row("bea").current == "failing-liveness-probe"
    assert view.row("bea").on_current_seconds == 300
    assert view.most_stuck == "bad-command" and view.most_stuck_count == 2
    relaxed = build_view("lab-3", SCENARIOS, namespaces, pods, [], [calm, stuck, idle], now=NOW,
                         thresholds=Thresholds(idle_minutes=20, wrong_answers=4))
    assert relaxed.totals["needs_help"] == 0


def test_objects_not_labelled_as_the_labs_are_ignored():
    stranger = {"metadata": {"name": "team-prod", "labels": {"crashlab.dev/lab": "lab-3"}}}
    view = build_view("lab-3", SCENARIOS, [stranger], [], [], [], now=NOW)
    assert view.rows == () and view.totals["participants"] == 0
