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

# Every command: the module that builds its parser (register) and runs it, and its one-line
# help. Only the invoked command's module is imported and built, which keeps
# `crashlab --help` and every command's start-up fast (argparse costs ~2 ms a parser).
COMMANDS = {
    "run": ("run_cmds", "run a lab: broken pods, a quiz, your fix verified"),
    "reset": ("run_cmds", "break a scenario again and forget its record"),
    "clean": ("run_cmds", "delete the lab's namespaces (and, with --cluster, its kind cluster)"),
    "list": ("catalog_cmds", "list the labs and their scenarios"),
    "show": ("catalog_cmds", "show a scenario: story, symptom, hints and guards"),
    "render": ("catalog_cmds", "print a scenario's manifest as YAML"),
    "diagnose": ("diagnose_cmds", "find why a pod crash-loops: cause, evidence, next commands"),
    "observe": ("diagnose_cmds", "restarting / crash-looping containers and Warning events, or their KQL"),
    "cluster": ("cluster_cmds", "create, check or delete the lab's cluster"),
    "selftest": ("instructor_cmds", "prove every scenario of a lab on this cluster (instructors)"),
    "results": ("instructor_cmds", "check results files (schema, signature), export JUnit"),
    "grade": ("instructor_cmds", "class report from results files (table, CSV, HTML) or the live cluster"),
    "workshop": ("instructor_cmds", "shared-cluster workshops: namespaces, RBAC, kubeconfigs"),
}
COMMAND_MODULES = tuple(dict.fromkeys(f"runner.cli.{module}" for module, _ in COMMANDS.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `command`, the full parser of the module that owns it."""
    listing = "\n".join(f"  {name:<10}{text}" for name, (_, text) in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="crashlab",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A Kubernetes troubleshooting lab: broken pods on your own cluster,\n"
        "a quiz on the cause, and your fix verified live.",
        epilog=f"commands:\n{listing}\n\n'crashlab COMMAND --help' tells more.",
    )
    parser.add_argument("--version", action="version", version=f"crashlab {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    if command in COMMANDS:
        subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
        importlib.import_module(f"runner.cli.{COMMANDS[command][0]}").register(subparsers)
    return parser


def _command_of(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _unknown_command(command: str) -> str:
    import difflib

    close = difflib.get_close_matches(command, COMMANDS, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"no command {command!r}; {hint}see: crashlab --help"


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    env = env or Environment()
    argv = sys.argv[1:] if argv is None else argv
    command = _command_of(argv)
    if command is not None and command not in COMMANDS:
        env.err(f"crashlab: error: {_unknown_command(command)}")
        return EXIT_BAD_INPUT
    parser = build_parser(command)
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
    except BrokenPipeError:  # `crashlab diagnose -o json | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CrashlabError as problem:
        if env.debug:
            raise
        # Errors that found several problems (a catalogue, a preflight) print one line each.
        for line in getattr(problem, "problems", None) or [str(problem)]:
            env.err(f"crashlab: error: {line}")
        return problem.exit_code


def run() -> None:
    sys.exit(main())
