"""How the lab presents things: quiz choices that do not give the answer away, copyable commands."""

from runner.catalog import load_catalog
from runner.session.quiz import shuffled

CATALOG = load_catalog(manifests=False)


def test_the_right_answer_is_not_always_first_and_the_order_is_stable():
    positions = []
    for scenario in CATALOG.lab_scenarios("lab-3"):
        for question in scenario.questions:
            order = shuffled(question, f"ada/{scenario.id}")
            assert sorted(c.id for c in order.choices) == sorted(c.id for c in question.choices)
            assert order == shuffled(question, f"ada/{scenario.id}")  # same on retry and resume
            positions.append([c.correct for c in order.choices].index(True))
    assert len(set(positions)) > 1


def test_neighbours_get_different_orders():
    question = CATALOG.scenario("oom-killed").question("cause")
    orders = {tuple(c.id for c in shuffled(question, f"{name}/oom-killed").choices)
              for name in ("ada", "bob", "cy", "dee", "eve")}
    assert len(orders) > 1


def test_commands_are_printed_on_one_line_even_when_longer_than_the_terminal():
    import io

    from rich.console import Console

    from runner.session.screen import RichScreen

    out = io.StringIO()
    command = "kubectl get pod -n crashlab-ada-oom-killed -l app=report-builder -o jsonpath='{.items[0]}'"
    RichScreen(Console(file=out, width=40, force_terminal=False)).command(command)
    assert out.getvalue() == f"  $ {command}\n"
