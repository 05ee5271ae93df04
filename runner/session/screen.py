"""What the learner sees: rich on a terminal (spinners, live lines updated in place),
plain lines otherwise (logs, CI, tests)."""

from __future__ import annotations

import time
from contextlib import contextmanager


class PlainScreen:
    """Plain lines; a live block is printed again only when it changes."""

    def __init__(self, stream):
        self.stream = stream
        self._last_live: list[str] | None = None

    def say(self, text: str = "", style: str = "") -> None:
        self.end_live()
        print(text, file=self.stream, flush=True)

    def command(self, text: str) -> None:
        """A shell command to copy: one line, never broken."""
        self.say(f"  $ {text}")

    def heading(self, text: str) -> None:
        self.say()
        self.say(f"== {text} ==")

    def panel(self, title: str, body: str) -> None:
        self.say(f"--- {title} ---")
        for line in body.rstrip("\n").splitlines():
            self.say(f"  {line}")

    def table(self, headers: tuple, rows: list[tuple]) -> None:
        widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows)]
        for row in (headers, *rows):
            self.say("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())

    def live(self, lines: list[str]) -> None:
        if lines != self._last_live:
            for line in lines:
                print(f"  {line}", file=self.stream, flush=True)
            self._last_live = list(lines)

    def end_live(self) -> None:
        self._last_live = None

    @contextmanager
    def step(self, label: str):
        started = time.monotonic()
        self.say(f"{label} ...")
        note = _Note()
        try:
            yield note
        except BaseException:
            self.say(f"{label}: failed ({time.monotonic() - started:.1f}s)")
            raise
        self.say(f"{label}: {note.text or 'done'} ({time.monotonic() - started:.1f}s)")

    def close(self) -> None:
        self.end_live()


class RichScreen(PlainScreen):
    """A terminal: spinners for steps, one Live region for the pod lines and countdowns."""

    def __init__(self, console):
        super().__init__(console.file)
        self.console = console
        self._live = None

    def say(self, text: str = "", style: str = "") -> None:
        from rich.text import Text

        self.end_live()
        self.console.print(Text(text, style=style or ""))

    def command(self, text: str) -> None:
        from rich.text import Text

        self.end_live()
        # soft_wrap: the terminal folds a long command visually, but copying it gives one line
        self.console.print(Text(f"  $ {text}", style="cyan"), soft_wrap=True)

    def heading(self, text: str) -> None:
        from rich.rule import Rule

        self.end_live()
        self.console.print(Rule(text, align="left", style="bold cyan"))

    def panel(self, title: str, body: str) -> None:
        from rich.panel import Panel
        from rich.text import Text

        self.end_live()
        self.console.print(Panel(Text(body.rstrip("\n")), title=title, title_align="left"))

    def table(self, headers: tuple, rows: list[tuple]) -> None:
        from rich.table import Table

        self.end_live()
        table = Table(*headers)
        for row in rows:
            table.add_row(*map(str, row))
        self.console.print(table)

    def live(self, lines: list[str]) -> None:
        from rich.live import Live
        from rich.text import Text

        body = Text("\n".join(f"  {line}" for line in lines))
        if self._live is None:
            self._live = Live(body, console=self.console, auto_refresh=False, transient=False)
            self._live.start()
        self._live.update(body, refresh=True)

    def end_live(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    @contextmanager
    def step(self, label: str):
        self.end_live()
        started = time.monotonic()
        note = _Note()
        try:
            with self.console.status(f"{label} ..."):
                yield note
        except BaseException:
            self.console.print(f"✗ {label}: failed ({time.monotonic() - started:.1f}s)")
            raise
        self.console.print(f"✓ {label}: {note.text or 'done'} ({time.monotonic() - started:.1f}s)")


class _Note:
    text = ""
