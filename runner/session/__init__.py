"""The learner's dialogue: menus, quiz, hints, the fix menu, records; resumable, Ctrl-C safe.

The cluster work is runner.steps (the same steps selftest runs). Pure parts (quiz,
podline, fixcheck, workspace paths) never touch the cluster or a terminal;
`askers`/`prompts` ask the learner, `screen` prints, `lab` and `fixloop` hold the dialogue.
"""

from runner.session.options import SessionOptions

__all__ = ["SessionOptions"]
