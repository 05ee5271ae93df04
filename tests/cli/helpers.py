"""Run the CLI in-process and capture what a user would see."""

import io
import os
from dataclasses import dataclass

from runner.cli import main
from runner.cli.env import Environment


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(*argv: str, environ: dict | None = None, stdin: str = "") -> Result:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, stdin=io.StringIO(stdin),
                      environ={**os.environ, **(environ or {})})
    code = main(list(argv), env=env)
    return Result(code, out.getvalue(), err.getvalue())
