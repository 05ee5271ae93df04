"""The one object the CLI reads and writes through, so tests can swap it."""

import os
import sys
from dataclasses import dataclass, field
from typing import IO


@dataclass
class Environment:
    """Streams, working folder and environment variables of one CLI run."""

    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    environ: dict = field(default_factory=lambda: dict(os.environ))
    debug: bool = False

    @property
    def interactive(self) -> bool:
        """True when a person is at a terminal (prompts and live lines make sense)."""
        return _isatty(self.stdin) and _isatty(self.stdout)

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def err(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)

    def console(self):
        """A rich Console on stdout (imported lazily: rich costs ~35 ms)."""
        from rich.console import Console

        return Console(file=self.stdout, force_terminal=_isatty(self.stdout) or None,
                       no_color="NO_COLOR" in self.environ, highlight=False,
                       width=None if _isatty(self.stdout) else 100)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
