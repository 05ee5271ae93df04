"""Fixtures of the container tier: a Docker engine, the lab image, labelled containers.

No engine: the tier is skipped with the reason, unless CRASHLAB_REQUIRE_DOCKER=1 (CI),
where it fails instead, so it can never be skipped silently.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest

from runner import paths
from tests.containers.engine import TIER, EngineUnavailable, find_engine, pid_alive
from tests.containers.image import build_app_image, ensure_base
from tests.containers.runs import image_user, remove_orphans, remove_session_containers

def _unavailable(reason: str):
    TIER["unavailable"] = reason
    if os.environ.get("CRASHLAB_REQUIRE_DOCKER") == "1":
        pytest.fail(f"container tier required (CRASHLAB_REQUIRE_DOCKER=1) but {reason}",
                    pytrace=False)
    pytest.skip(f"container tier skipped: {reason}")


@pytest.fixture(scope="session")
def docker_engine():
    try:
        engine = find_engine()
    except EngineUnavailable as exc:
        _unavailable(str(exc))
    TIER["engine"] = engine.description
    try:
        yield engine
    finally:
        if engine.private is not None:
            engine.private.release()


@pytest.fixture(scope="session")
def lab_image(docker_engine):
    """The lab image built from images/app with `docker build`; returns (tag, image USER)."""
    begin = time.monotonic()
    try:
        base = ensure_base(docker_engine)
    except EngineUnavailable as exc:
        _unavailable(str(exc))
    tag = build_app_image(docker_engine, paths.app_image_dir(), base)
    TIER["image"] = f"{tag} on {base} (ready in {time.monotonic() - begin:.1f}s)"
    return tag, image_user(docker_engine, tag)


@pytest.fixture(scope="session")
def container_session(docker_engine):
    """A label value for this session's containers; all of them are removed at the end."""
    session = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if docker_engine.private is not None:  # its sessions are all on this machine
        remove_orphans(docker_engine, pid_alive)
    try:
        yield session
    finally:
        remove_session_containers(docker_engine, session)


def pytest_terminal_summary(terminalreporter):
    if "engine" in TIER:
        line = f"container tier ran on {TIER['engine']}"
        if "image" in TIER:
            line += f"; lab image {TIER['image']}"
        if "runs" in TIER:
            line += f"; {TIER['runs']}"
        if "kit" in TIER:
            line += f"; {TIER['kit']}"
        terminalreporter.write_line(line)
    elif "unavailable" in TIER:
        terminalreporter.write_line(f"container tier did not run: {TIER['unavailable']}")
