"""Ctrl-C during a step that must not stop half-way (applying a scenario's objects)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


@contextmanager
def deferred():
    """Hold SIGINT until the block ends; `pending()` says whether one arrived meanwhile.

    Only the main thread can install handlers; elsewhere the block simply runs.
    """
    caught = []

    def hold(signum, frame):
        caught.append(signum)

    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield lambda: bool(caught)
    finally:
        signal.signal(signal.SIGINT, previous)
