"""The lab loop: pre-warm every scenario, quiz, fix, verify, explain, record; resumable.

Pure parts (records, quiz, podline, fixcheck, workspace paths) never touch the
cluster or a terminal; `live` wraps runner.cluster, `askers`/`prompts` ask the
learner, `screen` prints, and `lab` ties them together.
"""

from runner.session.options import SessionOptions

__all__ = ["SessionOptions"]
