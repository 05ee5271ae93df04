"""`crashlab workshop watch` (page and --tui) and `crashlab grade --live` from the cluster's
records, end to end against the emulator through a kubeconfig."""

import datetime
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli
from tests.instructor import classplay

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_class(k8s_api):
    play = classplay.ClassPlay(k8s_api, NOW)
    roster = {"ada": "fast", "bob": "idle", "cy": "guessing", "dee": "tamperer"}
    play.play(roster)
    return play


def test_grade_live_builds_the_class_report_from_the_cluster_alone(k8s_api, small_class, tmp_path):
    html = tmp_path / "report.html"
    before = k8s_api.emulator.count("GET", watch=False)
    result = run_cli("grade", "--live", "--context", k8s_api.context, "--html", str(html),
                     environ={**k8s_api.environ, "CRASHLAB_GRADING_KEY": classplay.KEY,
                              "NO_COLOR": "1"})
    assert result.code == 0, result.stderr
    assert "tampered" in result.stdout and "dee" in result.stdout
    page = html.read_text()
    for name in ("ada", "bob", "cy", "dee"):
        assert name in page
    assert "configmap/crashlab-dee-storefront/crashlab-progress-lab-3" in page
    assert k8s_api.emulator.count("GET", watch=False) - before <= 5  # ping + 4 lists, no file


def test_grade_live_counts_the_records_outcomes(k8s_api, small_class):
    from runner import progress, workshop
    from runner.grade import grade_checked

    snapshot = workshop.read_live_snapshot(k8s_api.connect(), "lab-3")
    checked = progress.records_on_cluster(snapshot["configmaps"], snapshot["namespaces"],
                                          classplay.KEY)
    report = grade_checked(checked, (), classplay.S)
    assert report.row("ada", "failing-liveness-probe").verified
    assert report.row("bob", "oom-killed").status == "investigating"
    assert [f.kind for f in report.flags] == ["tampered"] and report.flags[0].participant == "dee"


def test_watch_serves_the_page_until_stopped(k8s_api, small_class, tmp_path):
    env = {**os.environ, **k8s_api.environ, "CRASHLAB_GRADING_KEY": classplay.KEY,
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", "from runner.cli import run; run()", "workshop", "watch", "--context",
                             k8s_api.context, "--port", "0", "--no-open", "--stop-after", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=tmp_path)
    try:
        line = proc.stdout.readline()
        assert line.startswith("class view of lab-3: http://127.0.0.1:"), (line, proc.stderr.read())
        url = line.split(": ", 1)[1].strip()
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert "bob" in page and "dee" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_watch_refuses_a_busy_port_in_one_line(k8s_api):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("workshop", "watch", "--context", k8s_api.context, "--port", str(port),
                         "--no-open", "--stop-after", "1", environ=k8s_api.environ)
    assert result.code == 2 and "pass another --port" in result.stderr
    assert "Traceback" not in result.stderr


def test_watch_tui_shows_the_same_grid(k8s_api, small_class):
    result = run_cli("workshop", "watch", "--context", k8s_api.context, "--tui", "--stop-after",
                     "1.5", environ={**k8s_api.environ, "CRASHLAB_GRADING_KEY": classplay.KEY,
                                     "NO_COLOR": "1"})
    assert result.code == 0, result.stderr
    out = result.stdout
    for text in ("ada", "bob", "cy", "dee", "4 participants · 2 need help",
                 "most stuck: oom-killed (2)"):
        assert text in out, text
    assert out.index("bob") < out.index("cy") < out.index("ada")  # those needing help first


def test_the_terminal_table_holds_the_grid(k8s_api, small_class):
    from rich.console import Console

    from runner.classview.feed import ClassFeed
    from runner.classview.table import build_table

    with ClassFeed(k8s_api.connect(), classplay.LAB, key=classplay.KEY,
                   clock=lambda: NOW) as feed:
        assert feed.wait_synced(10)
        view = feed.view()
    console = Console(width=240, record=True, no_color=True)
    console.print(build_table(view))
    lines = console.export_text().splitlines()
    row = {name: next(line for line in lines if f" {name} " in line) for name in ("bob", "cy", "dee")}
    assert "no progress for 25 min" in row["bob"] and "crash-looping" in row["bob"]
    assert "4 wrong answers on oom-killed" in row["cy"] and "answering (4 tries)" in row["cy"]
    assert "tampered" in row["dee"]


def test_watch_without_rights_to_list_the_class_is_one_line(k8s_api, tmp_path):
    names = tmp_path / "class.txt"
    names.write_text("ada\n")
    out = tmp_path / "kubeconfigs"
    assert run_cli("workshop", "prepare", "--participants", str(names), "--out", str(out),
                   environ=k8s_api.environ).code == 0
    result = run_cli("workshop", "watch", "--context", k8s_api.context, "--port", "0",
                     "--no-open", "--stop-after", "10",
                     environ={"KUBECONFIG": str(out / "ada.kubeconfig")})
    assert result.code == 4
    errors = [line for line in result.stderr.splitlines() if line.startswith("crashlab: error:")]
    assert len(errors) == 1 and "forbids" in errors[0] and "Traceback" not in result.stderr
