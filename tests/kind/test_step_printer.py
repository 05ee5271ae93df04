"""How `cluster up` shows its steps: plain lines in logs, a spinner and ticks on a terminal."""

import io
import re

import pytest

from runner.cli.cluster_cmds import StepPrinter
from runner.cli.env import Environment


class Terminal(io.StringIO):
    def isatty(self):
        return True


def printer(stdout) -> StepPrinter:
    return StepPrinter(Environment(stdout=stdout, stderr=io.StringIO(), stdin=io.StringIO(),
                                   environ={"NO_COLOR": "1"}))


def test_plain_lines_say_what_starts_and_how_it_ended_with_the_time():
    out = io.StringIO()
    with printer(out)("Kind cluster 'crashlab'") as note:
        note.text = "exists, reused"

    lines = out.getvalue().splitlines()
    assert lines[0] == "Kind cluster 'crashlab' ..."
    assert re.fullmatch(r"Kind cluster 'crashlab': exists, reused \(\d+\.\ds\)", lines[1])


def test_a_failing_step_is_marked_failed_and_the_error_goes_on():
    out = io.StringIO()
    with pytest.raises(RuntimeError), printer(out)("Building crashlab/lab-app:0.1.0"):
        raise RuntimeError("boom")

    assert re.search(r"Building crashlab/lab-app:0.1.0: failed \(\d+\.\ds\)$", out.getvalue())


def test_a_terminal_gets_a_tick_and_the_time():
    out = Terminal()
    with printer(out)("Loading image") as note:
        note.text = "loaded"

    assert re.search(r"✓ Loading image: loaded \(\d+\.\ds\)", out.getvalue())
