from runner.catalog import Choice, Question
from runner.session import quiz
from tests.unit.pods import oom_pod, running_pod

QUESTION = Question("cause", "Why?", (Choice("oom", "Out of memory", "Yes: exit 137.", True),
                                      Choice("probe", "Liveness probe", "No: no Unhealthy events."),
                                      Choice("command", "Bad command", "No: it started.")))


def test_judge_gives_the_choices_feedback_and_refuses_unknown_answers():
    right = quiz.judge(QUESTION, "oom")
    assert right.correct and right.feedback == "Yes: exit 137." and right.known
    wrong = quiz.judge(QUESTION, "probe")
    assert not wrong.correct and wrong.feedback.startswith("No:")
    unknown = quiz.judge(QUESTION, "nope")
    assert not unknown.known and not unknown.correct and "oom, probe, command" in unknown.feedback


def test_shuffled_is_stable_per_seed_and_keeps_every_choice():
    one = quiz.shuffled(QUESTION, "ada/oom-killed")
    assert one == quiz.shuffled(QUESTION, "ada/oom-killed")
    assert sorted(c.id for c in one.choices) == ["command", "oom", "probe"]
    orders = {tuple(c.id for c in quiz.shuffled(QUESTION, f"p{n}/oom-killed").choices)
              for n in range(20)}
    assert len(orders) > 1   # not always the catalogue's order (right answer first)


def test_own_pod_line_quotes_the_learners_pod():
    line = quiz.own_pod_line(oom_pod(restarts=4), "app", ("Exit code 137",))
    assert line == ("web-7d4b9c8f6d-x2x9q: your container's last state was OOMKilled, exit code 137, "
                    "restarted 4 times — Exit code 137")
    assert quiz.own_pod_line(running_pod(), "app") == "web-5c6d7e8f9a-abcde: your container is running"
    assert "has not reported a status yet" in quiz.own_pod_line(None, "app")
