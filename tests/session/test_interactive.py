"""The interactive asker: questionary driven by pipe input, and a fix made with kubectl."""

import io
import threading

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from runner.catalog import load_catalog
from runner.session import SessionOptions
from runner.session.askers import CHANGED, ScriptedAsker
from runner.session.lab import LabSession
from runner.session.prompts import QuestionaryAsker
from runner.session.quiz import shuffled
from runner.session.screen import PlainScreen
from tests.session.helpers import PARTICIPANT, RIGHT, Lab, namespace, solution_objects

DOWN, ENTER = "\x1b[B", "\r"


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def make_session(lab: Lab, asker, out, yes=False) -> LabSession:
    options = SessionOptions(lab="lab-3", participant=PARTICIPANT, results_path=lab.results,
                             workspace=lab.workspace, stability_window=1, yes=yes,
                             only="oom-killed")
    return LabSession(load_catalog(), options, lab.api.connect(), asker,
                      PlainScreen(out))


class KeyFeeder(QuestionaryAsker):
    """Types the next scripted keys just before each prompt reads them."""

    def __init__(self, pipe, keys: list[str]):
        super().__init__(input=pipe, output=DummyOutput())
        self.pipe, self.keys = pipe, list(keys)

    def _select(self, message, options):
        self.pipe.send_text(self.keys.pop(0))
        return super()._select(message, options)

    def pause(self, message):
        self.paused = message
        self.pipe.send_text(ENTER)
        super().pause(message)


def _pick(question_id: str, choice_id: str) -> str:
    """The keys that select `choice_id` in the order this participant is shown."""
    question = shuffled(load_catalog().scenario("oom-killed").question(question_id),
                        f"{PARTICIPANT}/oom-killed")
    return DOWN * [c.id for c in question.choices].index(choice_id) + ENTER


def test_questionary_menu_quiz_hint_and_apply(lab):
    lab.write_fix("oom-killed", lambda objects: None)
    out = io.StringIO()
    with create_pipe_input() as pipe:
        asker = KeyFeeder(pipe, [
            DOWN + ENTER,                          # menu: Show a hint
            ENTER,                                 # menu: Answer the quiz
            _pick("cause", "app_config"),          # a wrong cause
            _pick("cause", "oom_killed"),
            _pick("evidence", "oomkilled-137"),
            ENTER,                                 # fix: Apply oom-killed.yaml
        ])
        code = make_session(lab, asker, out).run()
    text = out.getvalue()
    assert code == 0, text
    assert "hint 1 of 3" in text
    assert asker.paused == "Press any key to go on to the next scenario", \
        "what happened stays on screen until the learner goes on"
    assert text.index("--- what happened: ") < text.index("summary for ada")
    assert "✗ An application error exits on its own" in text
    assert "your container's last state was OOMKilled, exit code 137" in text
    entry = lab.entry("oom-killed")
    assert entry["status"] == "verified" and entry["hintsShown"] == 1
    assert entry["fixAppliedBy"] == "workspace"
    assert [a["answer"] for a in entry["quiz"]["cause"]["attempts"]] == ["app_config",
                                                                        "oom_killed"]


def test_ctrl_c_in_a_prompt_is_handled_once(lab):
    out = io.StringIO()
    with create_pipe_input() as pipe:
        code = make_session(lab, KeyFeeder(pipe, ["\x03"]), out).run()
    assert code == 130
    assert out.getvalue().strip().splitlines()[-1].startswith("Interrupted: progress saved")


class KubectlLearner(ScriptedAsker):
    """Answers the quiz, then fixes the Deployment "with kubectl" while the lab waits."""

    def __init__(self, lab: Lab):
        super().__init__(RIGHT)
        self.lab = lab

    def fix_action(self, scenario, path, options, changed: threading.Event):
        cluster = self.lab.api.connect()
        ns = namespace(scenario.id)
        for obj in solution_objects(scenario.id):
            cluster.apply([obj], ns)
        assert changed.wait(10), "the lab noticed the new pod template"
        return CHANGED


def test_fix_made_with_kubectl_is_noticed_and_verified(lab):
    out = io.StringIO()
    code = make_session(lab, KubectlLearner(lab), out).run()
    assert code == 0, out.getvalue()
    assert "You changed the workload with kubectl" in out.getvalue()
    entry = lab.entry("oom-killed")
    assert entry["status"] == "verified" and entry["fixAppliedBy"] == "kubectl"


def test_a_long_quiz_choice_wraps_instead_of_being_cut_off():
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.vt100 import Vt100_Output

    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=30, columns=40), term="dumb")
    long_text = "Events: Unhealthy \"Liveness probe failed: HTTP probe failed with statuscode: 404\""
    with create_pipe_input() as pipe:
        asker = QuestionaryAsker(input=pipe, output=output)
        question = asker._select("Which?", [("a", long_text), ("b", "READY 0/1")])
        pipe.send_text(ENTER)
        assert question.unsafe_ask() == "a"
    # the menu as drawn before the answer (the answered prompt is redrawn after it)
    menu = screen.getvalue().split("(Use arrow keys)")[1].split("Which?")[0]
    # the end of the choice reached the 40-column screen, on an indented continuation line
    assert 'ode: 404"' in menu and "\r\n\x1b[0m     \x1b[0m" in menu
    assert menu.index('ode: 404"') < menu.index("READY 0/1")
