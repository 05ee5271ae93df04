"""The offer to download kind and kubectl when they are missing or too old.

`cluster up` and `run` call `offer_downloads` after preflight found problems:
`--yes` accepts, a person at a terminal is asked, CRASHLAB_NO_DOWNLOAD=1 (or no
terminal and no --yes) refuses and prints the manual steps. Nothing is fetched
when the tools are there.
"""

import platform


def wanted_tools(report) -> list[str]:
    """kind/kubectl that preflight found missing, broken or too old."""
    from runner.kind.downloads import DOWNLOADABLE

    return [check.tool for check in report.checks
            if check.tool in DOWNLOADABLE and not check.ok]


def offer_downloads(env, report, *, yes: bool, step) -> bool:
    """Download what `report` lacks when allowed; True when anything was installed."""
    from runner.kind import downloads

    tools = wanted_tools(report)
    if not tools:
        return False
    planned = downloads.plan(tools, platform.system(), platform.machine(), env.environ)
    folder = downloads.tools_dir(env.environ)
    if not planned:
        env.err(f"crashlab: note: kind and kubectl publish no binary for "
                f"{platform.system()}/{platform.machine()}: install them yourself")
        return False
    what = " and ".join(f"{item.tool} {item.version}" for item in planned)
    if downloads.downloads_refused(env.environ) or not (yes or env.interactive):
        _print_manual_steps(env, planned, folder, what, refused_by_variable=yes or
                            downloads.downloads_refused(env.environ))
        return False
    if not yes and not _ask(env, f"Download {what} for {planned[0].platform} into {folder}? "
                            "[Y/n] "):
        _print_manual_steps(env, planned, folder, what, refused_by_variable=True)
        return False
    for item in planned:
        _download(env, item, folder, step)
    return True


def _ask(env, question: str) -> bool:
    env.stdout.write(question)
    env.stdout.flush()
    answer = env.stdin.readline()
    return answer.strip().lower() in ("", "y", "yes")


def _print_manual_steps(env, planned, folder, what: str, refused_by_variable: bool) -> None:
    if not refused_by_variable:
        env.err(f"crashlab: note: run again with --yes to let crashlab download {what} "
                f"(checked against their published SHA-256) into {folder}")
    env.err(f"crashlab: note: or install them yourself ({planned[0].platform}):")
    from runner.kind.downloads import manual_steps

    for line in manual_steps(planned, folder):
        env.err(f"  {line}")


def _download(env, item, folder, step) -> None:
    """A progress bar on a terminal (the step spinner would fight it), else plain lines."""
    from runner.cli.env import _isatty
    from runner.kind.fetch import fetch_tool

    label = f"Downloading {item.tool} {item.version} ({item.platform})"
    if _isatty(env.stdout):
        console = env.console()
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TransferSpeedColumn)

        with Progress(TextColumn(label), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task(label, total=None)
            path = fetch_tool(item, folder,
                              lambda done, total: bar.update(task, completed=done, total=total))
        console.print(f"✓ {label}: SHA-256 verified, installed as {path}")
        return
    with step(label) as note:
        path = fetch_tool(item, folder, _QuarterLines(env))
        note.text = f"SHA-256 verified, installed as {path}"


class _QuarterLines:
    """Progress in a log: one line per quarter of the file."""

    def __init__(self, env):
        self.env, self.quarter = env, 0

    def __call__(self, done: int, total: int | None) -> None:
        if total and done * 4 // total > self.quarter:
            self.quarter = done * 4 // total
            self.env.out(f"  {done * 100 // total}% of {total / 1e6:.1f} MB")


def preflight_with_offer(env, tools, step, *, yes: bool):
    """Preflight `tools`; when kind/kubectl are what is missing, offer to download them and
    check again. Raises PreflightFailed (exit 3, one line per problem) when still not ok."""
    from runner.kind import PreflightFailed, check_tools

    with step(f"Checking {', '.join(tools)}") as note:
        report = check_tools(env.environ, tools)
        note.text = _summary(report)
    from runner.cli.needs_cmds import announce_downloads

    announce_downloads(env, report)
    if not report.ok and offer_downloads(env, report, yes=yes, step=step):
        with step(f"Checking {', '.join(tools)} again") as note:
            report = check_tools(env.environ, tools)
            note.text = _summary(report)
    if not report.ok:
        raise PreflightFailed(report.problems)
    return report


def _summary(report) -> str:
    return ", ".join(f"{c.tool} {c.version}" if c.ok else f"{c.tool} not usable"
                     for c in report.checks)
