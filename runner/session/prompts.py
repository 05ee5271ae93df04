"""The interactive Asker: questionary prompts. Ctrl-C is not handled here: `unsafe_ask` lets
KeyboardInterrupt through to LabSession.run, the one place that saves and exits 130."""

from __future__ import annotations

import threading

from runner.session import askers


class QuestionaryAsker(askers.Asker):
    def __init__(self, input=None, output=None):  # noqa: A002 - prompt_toolkit's names
        self._io = {key: value for key, value in (("input", input), ("output", output))
                    if value is not None}

    def _select(self, message: str, options: list[tuple[str, str]]):
        import questionary

        question = questionary.select(message, choices=[questionary.Choice(title, value)
                                                        for value, title in options], **self._io)
        _wrap_choices(question)
        return question

    def menu(self, scenario, options) -> str:
        return self._select(f"{scenario.workload.name}: what next?", options).unsafe_ask()

    def answer(self, scenario, question, attempt: int) -> str:
        options = [(choice.id, choice.text) for choice in question.choices]
        suffix = "" if attempt == 1 else f" (try {attempt})"
        return self._select(question.prompt + suffix, options).unsafe_ask()

    def pause(self, message: str) -> None:
        import questionary

        questionary.press_any_key_to_continue(message, **self._io).unsafe_ask()

    def fix_action(self, scenario, path, options, changed: threading.Event) -> str:
        question = self._select("Press Enter to apply your file, or choose", options)
        app = question.application
        done = threading.Event()

        def leave_when_changed() -> None:
            while not done.is_set():
                if changed.wait(0.2):
                    loop = getattr(app, "loop", None)
                    if loop is not None and app.is_running:
                        loop.call_soon_threadsafe(_exit_with, app, askers.CHANGED)
                    return

        watcher = threading.Thread(target=leave_when_changed, daemon=True)
        watcher.start()
        try:
            return question.unsafe_ask()
        finally:
            done.set()


def _wrap_choices(question) -> None:
    """questionary cuts a choice longer than the terminal off; wrap it instead, indented under
    its first line."""
    from prompt_toolkit.filters import to_filter
    from questionary.prompts.common import InquirerControl

    for window in question.application.layout.find_all_windows():
        if isinstance(window.content, InquirerControl):
            window.wrap_lines = to_filter(True)
            window.get_line_prefix = lambda line, wrap_count: "     " if wrap_count else ""


def _exit_with(app, result) -> None:
    if app.is_running and not app.future.done():
        app.exit(result=result)
