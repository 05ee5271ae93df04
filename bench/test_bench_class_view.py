"""The class view on 30 and 100 emulated participants: API watch connections (goal <= 5,
whatever the class size) and the delay from a pod status change to the page's event stream
carrying it (goal <= 2 s)."""

import datetime
import json
import queue
import threading
import urllib.request

import pytest

from runner.classview.feed import ClassFeed
from runner.classview.web import ViewServer
from tests.harness.fixtures import k8s_api  # noqa: F401
from tests.instructor import classplay

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


@pytest.fixture(params=[30, 100], ids=["30-participants", "100-participants"])
def watched(request, k8s_api):  # noqa: F811
    roster = classplay.class_of(request.param)
    classplay.ClassPlay(k8s_api, NOW).play(roster)
    feed = ClassFeed(k8s_api.connect(), classplay.LAB, key=classplay.KEY).start()
    assert feed.wait_synced(60), feed.error
    server = ViewServer(feed, "127.0.0.1", 0).start()
    events: queue.Queue = queue.Queue()
    stream = urllib.request.urlopen(server.base_url + "events", timeout=30)

    def read():
        try:
            for line in stream:
                if line.startswith(b"data: "):
                    events.put(json.loads(line[6:]))
        except (OSError, ValueError):
            pass

    threading.Thread(target=read, daemon=True).start()
    events.get(timeout=30)
    yield k8s_api, events, sorted(roster)[8]   # a "typical" participant: crash-looping pod
    stream.close()
    server.close()
    feed.close()


def test_status_change_to_page_update(benchmark, watched):
    k8s_api, events, who = watched
    store = k8s_api.emulator.store
    namespace = f"crashlab-{who}-invalid-app-config"
    pod = store.list("pods", namespace)[0][0]["metadata"]["name"]
    counter = iter(range(5, 10**6))

    def change_and_wait():
        restarts = next(counter)

        def bump(old):
            old["status"]["containerStatuses"][0]["restartCount"] = restarts
            return old

        store.update("pods", namespace, pod, bump, subresource="status")
        want = f"CrashLoopBackOff, {restarts} restarts"
        while True:
            view = events.get(timeout=10)
            row = next(r for r in view["rows"] if r["participant"] == who)
            if row["cells"][2]["pod"] == want:
                return

    benchmark.pedantic(change_and_wait, rounds=15, iterations=1)
    watches = [r for r in k8s_api.emulator.requests if r.watch]
    benchmark.extra_info["api_watch_connections"] = len(watches)
    benchmark.extra_info["participants"] = len({r["participant"] for r in events.get(timeout=10)["rows"]})
    assert len(watches) <= 5, [r.path for r in watches]
    assert benchmark.stats.stats.max <= 2.0
