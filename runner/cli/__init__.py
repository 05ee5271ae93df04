"""Command line entry point: parse arguments, run one command, turn errors into exit codes.

Each command module under runner/cli/ has `register(subparsers)`; it sets
`func(args, env) -> int` on its parser. Command modules import heavy
libraries (kubernetes, questionary, rich) inside their functions so that
`crashlab --help` stays instant.
"""

import argparse
import importlib
import sys

from runner import __version__
from runner.cli.env import Environment
from runner.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, CrashlabError

COMMAND_MODULES = (
    "runner.cli.catalog_cmds",
    "runner.cli.cluster_cmds",
    "runner.cli.diagnose_cmds",
    "runner.cli.instructor_cmds",
    "runner.cli.run_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crashlab",
        description="A Kubernetes troubleshooting lab: broken pods on your own cluster, "
        "a quiz on the cause, and your fix verified live.",
    )
    parser.add_argument("--version", action="version", version=f"crashlab {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    env = env or Environment()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse already printed usage or help
        return int(stop.code or 0)
    env.debug = env.debug or args.debug
    if not getattr(args, "func", None):
        parser.print_help(env.stdout)
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args, env) or 0)
    except KeyboardInterrupt:
        env.err("crashlab: interrupted")
        return EXIT_INTERRUPTED
    except CrashlabError as problem:
        if env.debug:
            raise
        # Errors that found several problems (a catalogue, a preflight) print one line each.
        for line in getattr(problem, "problems", None) or [str(problem)]:
            env.err(f"crashlab: error: {line}")
        return problem.exit_code


def run() -> None:
    sys.exit(main())
