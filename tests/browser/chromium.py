"""Headless Chromium from the distribution's packages (`apt-get install chromium`), driven by
its command line: `--dump-dom` prints the DOM after the page's scripts ran, `--screenshot`
writes a PNG. Flags from chromium's docs (docs/headless.md, "Command-line usage")."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--hide-scrollbars")


def find() -> str | None:
    return next((path for path in map(shutil.which, NAMES) if path), None)


def run(binary: str, url: str, *extra: str, timeout: float = 90.0) -> str:
    with tempfile.TemporaryDirectory(prefix="crashlab-chromium-") as profile:
        done = subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(binary: str, url: str) -> str:
    return run(binary, url, "--dump-dom")


def screenshot(binary: str, url: str, path, size: str = "1600,1000") -> None:
    run(binary, url, f"--window-size={size}", f"--screenshot={path}")
