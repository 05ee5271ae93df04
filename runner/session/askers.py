"""Who answers the lab's questions: an Asker. Scripted answers live here; the interactive
one (questionary) is in `prompts`.

An Asker answers four things: the investigate menu, a quiz question, what to do in the
fix stage, and whether to go on. Actions are plain strings (see ACTIONS).
"""

from __future__ import annotations

import threading
from pathlib import Path

from runner.catalog.model import current_cause_id
from runner.errors import InputError

# Investigate menu
QUIZ, HINT, EVIDENCE, SKIP, REVEAL, QUIT = "quiz", "hint", "evidence", "skip", "reveal", "quit"
# Fix stage
APPLY, CHANGED, SOLUTION = "apply", "changed", "solution"
ACTIONS = (QUIZ, HINT, EVIDENCE, SKIP, REVEAL, QUIT, APPLY, CHANGED, SOLUTION)


class Asker:
    """Interface: the session asks, an implementation answers."""

    def menu(self, scenario, options: list[tuple[str, str]]) -> str:
        raise NotImplementedError

    def answer(self, scenario, question, attempt: int) -> str:
        raise NotImplementedError

    def fix_action(self, scenario, path: Path, options: list[tuple[str, str]],
                   changed: threading.Event) -> str:
        """What to do next while fixing; return CHANGED when `changed` gets set meanwhile."""
        raise NotImplementedError

    def pause(self, message: str) -> None:
        """Keep what is on screen until the learner goes on (scripted: at once)."""

    def close(self) -> None:
        pass


class ScriptedAsker(Asker):
    """Answers from a mapping: scenario id -> {cause: [tries], evidence: [tries], menu: [...],
    fix: [...]}; `cause: x` alone is one try. Runs out -> a clear error."""

    def __init__(self, answers: dict, source: str = "answers"):
        self.source = source
        self.answers = {str(k): _normalise(v, f"{source}: {k}") for k, v in answers.items()}
        self._used: dict[tuple[str, str], int] = {}

    def _next(self, scenario_id: str, key: str, default: str | None = None) -> str:
        tries = (self.answers.get(scenario_id) or {}).get(key) or []
        used = self._used.get((scenario_id, key), 0)
        if used < len(tries):
            self._used[(scenario_id, key)] = used + 1
            return str(tries[used])
        if default is not None:
            return default
        if not tries:
            raise InputError(f"{self.source} has no {key} answer for scenario {scenario_id}: "
                             f"add `{scenario_id}: {{cause: ..., evidence: ...}}`")
        raise InputError(f"{self.source}: every {key} answer for {scenario_id} was wrong "
                         f"({', '.join(map(str, tries))}): add the right one")

    def menu(self, scenario, options) -> str:
        return self._next(scenario.id, "menu", QUIZ)

    def answer(self, scenario, question, attempt: int) -> str:
        return self._next(scenario.id, question.id)

    def fix_action(self, scenario, path, options, changed) -> str:
        return self._next(scenario.id, "fix", APPLY)


def _normalise(value, where: str) -> dict:
    if isinstance(value, str):
        return {"cause": [value]}
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a mapping like {{cause: ..., evidence: ...}}")
    out = {}
    for key, tries in value.items():
        if key not in ("cause", "evidence", "menu", "fix"):
            raise InputError(f"{where}.{key}: unknown key; use cause, evidence, menu or fix")
        out[key] = [tries] if isinstance(tries, (str, int)) else list(tries or [])
        if key == "cause":  # an answers file written before a cause id was renamed
            out[key] = [current_cause_id(str(answer)) for answer in out[key]]
        if key in ("menu", "fix"):
            for action in out[key]:
                if action not in ACTIONS:
                    raise InputError(f"{where}.{key}: {action!r} is not one of "
                                     f"{', '.join(ACTIONS)}")
    return out


def load_answers(path: Path, scenarios=None) -> ScriptedAsker:
    """Read an answers file (YAML or JSON); with the lab's `scenarios`, every scenario,
    question and choice it names must exist (InputError naming the first that does not)."""
    from runner import yamlio
    from runner.textfile import read_text_file

    path = Path(path)
    try:
        data = yamlio.load(read_text_file(path, "give the YAML or JSON answers file (--answers)"))
    except FileNotFoundError:
        raise InputError(f"answers file {path} not found: check the path given to --answers")
    except OSError as problem:
        raise InputError(f"cannot read answers file {path}: {problem.strerror or problem}: "
                         "check the path given to --answers") from None
    except yamlio.YAMLError as problem:
        line = yamlio.error_line(problem)
        raise InputError(f"{path}{f':{line}' if line else ''}: not valid YAML/JSON: "
                         f"{yamlio.error_problem(problem)}")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of scenario id -> answers")
    asker = ScriptedAsker(data, str(path))
    if scenarios is not None:
        from runner.session.answercheck import answer_problems

        problems = answer_problems(asker.answers, scenarios, str(path))
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise InputError(problems[0] + more)
    return asker
