"""The live class view on an emulated 30-participant workshop: grid states, who needs help,
a handful of watches, live updates, and the page's access rules."""

import datetime
import json
import urllib.error
import urllib.request

import pytest

from runner.classview.feed import ClassFeed
from runner.classview.web import ViewServer
from tests.instructor import classplay
from tests.instructor.classplay import LAB, S

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


@pytest.fixture
def played(k8s_api):
    play = classplay.ClassPlay(k8s_api, NOW)
    roster = classplay.class_of_30()
    play.play(roster)
    return play, roster


@pytest.fixture
def feed(k8s_api, played):
    admin = k8s_api.connect()
    feed = ClassFeed(admin, LAB, key=classplay.KEY, clock=lambda: NOW).start()
    assert feed.wait_synced(15), feed.error
    yield feed
    feed.close()
    admin.close()


def _settle(feed, predicate, timeout=15.0):
    """Wait (on the feed's change notifications, not a sleep loop) until `predicate(view)`."""
    import time

    end, seen = time.monotonic() + timeout, -1
    while time.monotonic() < end:
        view = feed.view()
        if predicate(view):
            return view
        seen = feed.wait(seen, max(0.0, end - time.monotonic()))
    raise AssertionError(f"the class view did not reach the expected state; last: "
                         f"{[(r.participant, [c.state for c in r.cells], r.help) for r in feed.view().rows]}")


def _states(view, participant):
    return [c.state for c in view.row(participant).cells]


def test_the_grid_shows_every_participants_state(feed):
    view = feed.view()
    assert view.totals["participants"] == 30 and view.scenarios == S
    for name in ("p01", "p08"):
        assert _states(view, name) == ["verified"] * 5
    typical = view.row("p09")
    assert _states(view, "p09") == ["verified", "verified", "answered", "not-started",
                                    "not-started"]
    assert typical.cells[2].tries == 1 and typical.cells[2].wrong == 1
    assert typical.cells[2].hints == 1 and typical.hints == 1
    assert typical.current == "invalid-app-config" and 7 * 60 <= typical.on_current_seconds <= 9 * 60
    assert not typical.needs_help
    assert _states(view, "p21")[:2] == ["verified", "crash-looping"]
    assert view.cell("p21", "oom-killed").pod == "CrashLoopBackOff, 4 restarts"
    assert _states(view, "p26")[0] == "fixing" and view.cell("p26", "bad-command").fix_changes == 3
    assert _states(view, "p29")[:3] == ["skipped", "revealed", "crash-looping"]
    assert view.row("p29").hints == 3
    assert view.totals["finished"] == 8 and view.totals["verified"] == 8 * 5 + 12 * 2 + 2 + 3


def test_needs_help_rows_come_first_with_their_reasons(feed):
    view = feed.view()
    helped = {r.participant: r.help for r in view.rows if r.needs_help}
    assert set(helped) == {"p21", "p22", "p23", "p24", "p25", "p26", "p27", "p28"}
    assert [r.participant for r in view.rows[:len(helped)]] and \
        all(r.needs_help for r in view.rows[:len(helped)])
    assert helped["p21"] == ("no progress for 25 min",)
    assert helped["p24"] == ("4 wrong answers on oom-killed",)
    assert helped["p26"] == ("no progress for 15 min",
                             "changed the Deployment 3 times, bad-command still not fixed")
    assert helped["p28"] == ("no pod in crashlab-p28-storefront",)
    assert view.cell("p28", "bad-command").state == "deployed"
    assert view.cell("p28", "bad-command").pod == "no pod"
    assert view.most_stuck == "oom-killed" and view.most_stuck_count == 5
    assert view.totals["needs_help"] == 8


def test_a_tampered_record_is_marked_and_not_believed(feed):
    view = feed.view()
    row = view.row("p30")
    assert row.trust == "tampered" and "changed after" in row.trust_reason or \
        "does not match" in row.trust_reason
    # the record says "verified" everywhere; the cluster shows a crash-looping pod and nothing else
    assert _states(view, "p30") == ["crash-looping"] + ["not-started"] * 4
    assert view.totals["untrusted"] == 1


def test_the_class_is_followed_with_four_watches_whatever_its_size(k8s_api, feed):
    import time

    emulator = k8s_api.emulator
    end = time.monotonic() + 10
    while emulator.open_watches() < 4 and time.monotonic() < end:
        time.sleep(0.02)  # the watches open right after their first list
    time.sleep(0.3)       # ... and no more open later
    watches = [r for r in emulator.requests if r.watch]
    assert len(watches) == 4 and emulator.open_watches() == 4
    lists = [r for r in emulator.requests if not r.watch and r.method == "GET"
             and r.path in {w.path for w in watches}]
    assert len(lists) == 4  # one list per kind, then watches only: no polling per participant
    assert {r.path for r in watches} == {"/api/v1/namespaces", "/api/v1/pods",
                                        "/apis/apps/v1/deployments", "/api/v1/configmaps"}
    assert all("crashlab.dev/lab=lab-3" in r.query["labelSelector"] for r in watches)


def test_a_change_reaches_the_page_stream(k8s_api, feed, played):
    play, _ = played
    server = ViewServer(feed, "127.0.0.1", 0).start()
    try:
        stream = urllib.request.urlopen(server.base_url + "events", timeout=10)
        first = json.loads(_next_event(stream))
        assert first["totals"]["participants"] == 30
        play.answer("p21", "oom-killed", 0, True, 0)      # the idle one answers at last
        while True:
            view = json.loads(_next_event(stream))
            row = next(r for r in view["rows"] if r["participant"] == "p21")
            if row["cells"][1]["state"] == "fixing":
                break
        assert row["help"] == [] and view["rows"][0]["participant"] != "p21"
        stream.close()
    finally:
        server.close()


def _next_event(stream) -> str:
    for line in stream:
        if line.startswith(b"data: "):
            return line[len(b"data: "):].decode()
    raise AssertionError("the event stream ended")


def test_the_page_on_loopback_needs_no_token_but_refuses_other_host_names(feed):
    server = ViewServer(feed, "127.0.0.1", 0).start()
    try:
        assert server.token is None and server.url == server.base_url
        page = urllib.request.urlopen(server.base_url, timeout=5).read().decode()
        assert "p21" in page and "class view" in page
        view = json.loads(urllib.request.urlopen(server.base_url + "view.json", timeout=5).read())
        assert view["totals"]["participants"] == 30
        rebound = urllib.request.Request(server.base_url, headers={"Host": "evil.example:80"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound, timeout=5)
        assert refused.value.code == 403
    finally:
        server.close()


def test_another_address_needs_the_printed_token(feed):
    server = ViewServer(feed, "0.0.0.0", 0).start()
    try:
        assert server.token and f"?token={server.token}" in server.url
        plain = f"http://127.0.0.1:{server.port}/"
        for path in ("", "view.json", "events", "?token=wrong"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(plain + path, timeout=5)
            assert refused.value.code == 403
            assert b"crashlab workshop watch" in refused.value.read()
        assert server.refused == 4
        # the link's token becomes a cookie and leaves the address bar
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        answer = opener.open(f"{plain}?token={server.token}", timeout=5)
        assert answer.status == 200 and answer.url == plain and "p21" in answer.read().decode()
        assert json.loads(opener.open(plain + "view.json", timeout=5).read())["rows"]
    finally:
        server.close()
