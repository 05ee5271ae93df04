"""The one object the CLI reads and writes through, so tests can swap it."""

import os
import sys


class Environment:
    """Streams and environment variables of one CLI run.

    A plain class rather than a dataclass: importing dataclasses (and typing)
    costs ~30 ms, a third of the `crashlab --help` budget.
    """

    def __init__(self, stdout=None, stderr=None, stdin=None, environ=None, debug=False):
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.stdin = stdin if stdin is not None else sys.stdin
        self.environ = dict(os.environ) if environ is None else environ
        self.debug = debug

    @property
    def stdout_is_terminal(self) -> bool:
        return _isatty(self.stdout)

    @property
    def kubeconfig(self) -> str:
        """The kubeconfig of this run: its $KUBECONFIG, else ~/.kube/config (so nothing below
        reads the process environment behind this object's back)."""
        return self.environ.get("KUBECONFIG") or "~/.kube/config"

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


DEFAULT_CONTEXT = "kind-crashlab"  # the context kind writes for the lab's cluster `crashlab`


def context_or_default(context: str | None) -> str:
    """The one default-context rule of run, reset, clean, selftest, grade --live, diagnose and
    observe: --context NAME when given, else the lab's kind cluster, never whatever context
    happens to be current."""
    return context or DEFAULT_CONTEXT


def connect(env, context: str | None, ping: bool = True, lab_cluster: bool = True):
    """A runner.cluster.Cluster for `context` through the run's kubeconfig; `ping` checks the
    API answers (closing the connection when it does not). Every command connects here.

    Without --context: the lab's kind cluster (context_or_default), except for the workshop
    commands (`lab_cluster=False`), which set up a shared cluster: the current context."""
    from runner import cluster

    chosen = context_or_default(context) if lab_cluster else context
    conn = cluster.connect(chosen, env.kubeconfig)
    if ping:
        try:
            conn.ping()
        except BaseException:
            conn.close()
            raise
    return conn
