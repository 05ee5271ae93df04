"""Run an external tool with an argument list and a timeout; never through a shell."""

import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from runner.errors import EnvironmentProblem

INSTALL_LINKS = {
    "docker": "https://docs.docker.com/get-docker/",
    "kind": "https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
    "kubectl": "https://kubernetes.io/docs/tasks/tools/",
}


class ToolNotFound(EnvironmentProblem):
    """An executable the lab needs is not on PATH."""

    def __init__(self, tool: str):
        self.tool = tool
        super().__init__(f"{tool} not found on PATH: install it ({INSTALL_LINKS.get(tool, tool)})")


class ToolTimedOut(EnvironmentProblem):
    """An external command did not finish in time."""


@dataclass(frozen=True)
class Result:
    """What one finished command printed and returned."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def last_error_line(self) -> str:
        """The last non-empty line of stderr (or stdout): usually the tool's own error."""
        for text in (self.stderr, self.stdout):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return lines[-1]
        return f"exit status {self.returncode}"


def find_tool(tool: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The full path of `tool`: the copy crashlab downloaded into its tools folder (the
    pinned version) first, else the one on the PATH of `environ` (os.environ when None)."""
    from runner.kind.downloads import DOWNLOADABLE, tools_dir

    environ = os.environ if environ is None else environ
    if tool in DOWNLOADABLE:
        own = shutil.which(tool, path=str(tools_dir(environ)))
        if own:
            return own
    return shutil.which(tool, path=environ.get("PATH", os.defpath))


def run(argv: Sequence[str], *, environ: Mapping[str, str] | None = None,
        timeout: float) -> Result:
    """Run `argv` with the PATH and variables of `environ`; raise if missing or too slow.

    A non-zero exit status is returned, not raised: callers know what it means.
    """
    environ = dict(os.environ if environ is None else environ)
    executable = find_tool(argv[0], environ)
    if executable is None:
        raise ToolNotFound(argv[0])
    started = time.monotonic()
    try:
        done = subprocess.run([executable, *argv[1:]], env=environ, capture_output=True,
                              text=True, errors="replace", timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise ToolTimedOut(f"`{' '.join(argv)}` did not finish within {timeout:g}s: "
                           "check that Docker is running and not overloaded, then retry") from None
    return Result(tuple(argv), done.returncode, done.stdout, done.stderr,
                  time.monotonic() - started)
