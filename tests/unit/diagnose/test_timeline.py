"""Restart timeline from synthetic snapshots shaped like kubelet status updates."""

from datetime import datetime, timedelta, timezone

from runner.diagnose.timeline import build_timeline, expected_default_backoff, render_timeline

T0 = datetime(2025, 1, 1, 10, 0, tzinfo=timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def crash_loop(delays, run_for=2, reason="OOMKilled", code=137):
    """Snapshots of one container that crashes after `run_for` s and waits delays[i] before restart i+1."""
    snapshots, started, finished = [], T0, None
    for restart, delay in enumerate([0] + list(delays)):
        if restart:
            started = finished + timedelta(seconds=delay)
        last = {"terminated": {"reason": reason, "exitCode": code, "finishedAt": iso(finished)}} if finished else {}
        running = {"name": "app", "restartCount": restart, "lastState": last,
                   "state": {"running": {"startedAt": iso(started)}}}
        snapshots.append((started + timedelta(seconds=1), {"status": {"containerStatuses": [running]}}))
        finished = started + timedelta(seconds=run_for)
        waiting = {"name": "app", "restartCount": restart,
                   "lastState": {"terminated": {"reason": reason, "exitCode": code, "finishedAt": iso(finished)}},
                   "state": {"waiting": {"reason": "CrashLoopBackOff",
                                         "message": f"back-off {delays[restart] if restart < len(delays) else 300}s "
                                                    "restarting failed container=app pod=p_ns(1)"}}}
        snapshots.append((finished + timedelta(seconds=1), {"status": {"containerStatuses": [waiting]}}))
    return snapshots


def test_transitions_restarts_and_backoff_from_pod_timestamps():
    timeline = build_timeline(crash_loop([0, 10, 20, 40]))
    states = [t.after for t in timeline.transitions[:3]]
    assert states == ["Running", "Waiting CrashLoopBackOff", "Running"]
    assert [r.restart_count for r in timeline.restarts] == [1, 2, 3, 4]
    assert timeline.backoffs("app") == [0, 10, 20, 40]
    assert timeline.intervals("app") == [12, 22, 42]
    assert "consistent with the default back-off" in timeline.verdict("app")
    assert timeline.announced_backoffs_s["app"][:3] == [0, 10, 20]


def test_reduced_backoff_is_reported_as_not_default():
    timeline = build_timeline(crash_loop([1, 2, 4, 8, 16, 32, 60, 60]))
    verdict = timeline.verdict("app")
    assert "not the default back-off" in verdict
    assert "levelling off near 60s" in verdict
    assert verdict.startswith("observed delays 1s, 2s, 4s, 8s")


def test_default_cap_at_300():
    delays = [0, 10, 20, 40, 80, 160, 300, 300]
    assert [expected_default_backoff(n) for n in range(1, 9)] == delays
    assert "consistent with the default" in build_timeline(crash_loop(delays)).verdict()


def test_too_few_restarts_is_said_plainly():
    assert build_timeline(crash_loop([0])).verdict() == "too few restarts observed to judge the back-off"


def test_snapshot_order_does_not_matter_and_terminated_state_is_named():
    snapshots = crash_loop([0, 10])
    snapshots.append((T0 + timedelta(seconds=5), {"status": {"containerStatuses": [
        {"name": "app", "restartCount": 0, "state": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}}))
    timeline = build_timeline(reversed(snapshots))
    assert "Terminated OOMKilled (exit 137)" in [t.after for t in timeline.transitions]


def test_render_lists_transitions_and_verdict():
    text = render_timeline(build_timeline(crash_loop([0, 10, 20])))
    assert text.splitlines()[0].split() == ["time", "container", "restarts", "state"]
    assert "Running -> Waiting CrashLoopBackOff" in text
    assert "app: 3 restart(s) observed" in text
    assert "intervals between restarts: 12s, 22s" in text
    assert render_timeline(build_timeline([])) == "no snapshots"


def test_a_constant_delay_is_called_steady():
    verdict = build_timeline(crash_loop([15, 15, 15, 15, 15])).verdict("app")
    assert verdict.startswith("observed delays 15s x5: steady at 15s; not the default back-off")
    # an immediate first restart does not break the plateau; a doubling one is not steady
    assert "steady at 15s" in build_timeline(crash_loop([0, 15, 16, 15])).verdict("app")
    assert "steady" not in build_timeline(crash_loop([1, 2, 4, 8, 16])).verdict("app")


def test_repeated_crash_cycles_are_folded_into_one_row():
    text = render_timeline(build_timeline(crash_loop([15, 15, 15, 15, 15])))
    rows = [line for line in text.splitlines()[1:] if line.startswith("+")]
    assert len(rows) == 4  # not 11: the four repeats of "Waiting -> Running, Running -> Waiting" fold
    assert "... the same 2 rows 4 more times, until +85s (restarts 5)" in text
    assert text.count("Waiting CrashLoopBackOff -> Running") == 1
