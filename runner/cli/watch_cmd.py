"""`crashlab workshop watch`: the live class view (a local web page, or `--tui` a terminal table).

Argument parsing and printing only; the work is in runner.classview.
"""

from __future__ import annotations

import argparse

from runner.errors import UsageError

_EXAMPLES = """examples:
  crashlab workshop watch --context workshop              page on http://127.0.0.1:8765/
  crashlab workshop watch --context workshop --tui        the same grid in this terminal
  crashlab workshop watch --context workshop --address 0.0.0.0
                                                         reachable from other computers, with
                                                         the printed link (it carries a token)
"""


def register(workshop_actions) -> None:
    """Add `watch` to the `crashlab workshop` actions."""
    watch = workshop_actions.add_parser(
        "watch", help="live class view: who is stuck, on what, right now",
        description="Follow every participant of a workshop on the shared cluster (a few "
        "watches, whatever the class size) and show participants × scenarios, who needs help "
        "and why, class totals and the scenario where most are stuck.",
        epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    watch.add_argument("--context", help="kubeconfig context of the shared cluster (admin)")
    watch.add_argument("--lab", default="lab-3", help="lab id (default lab-3)")
    watch.add_argument("--tui", action="store_true", help="a live table in this terminal "
                       "instead of a web page")
    watch.add_argument("--address", default="127.0.0.1",
                       help="address to serve the page on (default 127.0.0.1: this computer "
                       "only; any other address needs the printed link's token)")
    watch.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free one)")
    watch.add_argument("--no-open", action="store_true", help="do not open a browser")
    watch.add_argument("--idle-minutes", type=float, default=10.0, metavar="M",
                       help="needs help after M minutes without progress (default 10)")
    watch.add_argument("--wrong-answers", type=int, default=3, metavar="N",
                       help="needs help after N wrong answers on a scenario (default 3)")
    watch.add_argument("--fix-changes", type=int, default=3, metavar="N",
                       help="needs help after N changes to a Deployment that did not fix it "
                       "(default 3)")
    watch.add_argument("--key-env", default="CRASHLAB_GRADING_KEY", metavar="NAME",
                       help="environment variable holding the grading key (to check records)")
    watch.add_argument("--stop-after", type=float, metavar="S",
                       help="stop after S seconds (default: run until Ctrl-C)")
    watch.set_defaults(func=run_watch)


def run_watch(args, env) -> int:
    from runner import results
    from runner.catalog import load_catalog
    from runner.classview import Thresholds
    from runner.classview.feed import ClassFeed
    from runner.cli.instructor_cmds import _connect, _lab

    if args.idle_minutes <= 0 or args.wrong_answers < 1 or args.fix_changes < 1:
        raise UsageError("--idle-minutes must be above 0; --wrong-answers and --fix-changes "
                         "at least 1")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: give a port between 0 and 65535")
    lab = _lab(load_catalog(), args.lab)
    key = results.key_from_env(env.environ, args.key_env)
    conn = _connect(args.context, env, lab_cluster=False)  # the shared cluster, as prepare
    feed = ClassFeed(conn, lab, key, Thresholds(args.idle_minutes, args.wrong_answers,
                                                args.fix_changes)).start()
    try:
        if not key:
            env.err(f"note: {args.key_env} is not set, so record signatures are not checked")
        return _tui(feed, env, args) if args.tui else _serve(feed, env, args)
    except KeyboardInterrupt:
        env.err("class view stopped")
        return 0
    finally:
        feed.close()
        conn.close()


def _until(args):
    import time

    end = None if args.stop_after is None else time.monotonic() + args.stop_after
    return lambda: end is not None and time.monotonic() >= end


def _follow(feed, done, on_change) -> None:
    seen = -1
    while not done():
        version = feed.wait(seen, 1.0)
        if feed.error is not None:
            raise feed.error
        if version != seen:
            seen = version
            on_change()


def _serve(feed, env, args) -> int:
    from runner.classview.web import ViewServer

    try:
        server = ViewServer(feed, args.address, args.port).start()
    except OSError as problem:
        raise UsageError(f"cannot serve on {args.address}:{args.port} ({problem.strerror or problem}); "
                         "pass another --port (0 picks a free one) or --address") from None
    try:
        env.out(f"class view of {args.lab}: {server.url}")
        if server.token:
            env.out("that link carries a token made for this run: share it only with who may "
                    "see the class; without it the page is refused")
        env.err("stop with Ctrl-C")
        if not args.no_open and _has_browser(env):
            import webbrowser

            webbrowser.open(server.url)
        _follow(feed, _until(args), lambda: None)
    finally:
        server.close()
    return 0


def _has_browser(env) -> bool:
    """A graphical browser can open (on Linux without a display, webbrowser would start a
    text browser in this very terminal)."""
    import sys

    return sys.platform in ("darwin", "win32") or bool(
        env.environ.get("DISPLAY") or env.environ.get("WAYLAND_DISPLAY"))


def _tui(feed, env, args) -> int:
    from rich.live import Live

    from runner.classview.table import build_table

    console = env.console()
    with Live(build_table(feed.view()), console=console, auto_refresh=False) as live:
        _follow(feed, _until(args), lambda: live.update(build_table(feed.view()), refresh=True))
    return 0
