"""The quiz does not give the answer away by its position."""

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
