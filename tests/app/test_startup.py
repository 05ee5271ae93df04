"""Banner, settings, the order of the startup steps and how they fail."""

import os
import pwd
import socket

import pytest

from .conftest import APP


def test_banner_names_the_app_and_its_user(start_app):
    app = start_app({"APP_NAME": "inventory"}).wait_ready()

    app.wait_for_output("INFO  starting inventory (lab-app 0.1.0, pid ")
    uid, gid = os.getuid(), os.getgid()
    user = pwd.getpwuid(uid).pw_name
    assert f"pid {app.proc.pid}, uid {uid}, gid {gid}, user {user}, python " in app.output()
    assert "has no entry in /etc/passwd" not in app.output()


def test_steps_run_in_order(start_app, tmp_path):
    config = tmp_path / "app.properties"
    config.write_text("backend.url=postgres://db:5432/inventory\n")
    app = start_app({"APP_CONFIG_FILE": str(config), "APP_WORKING_SET_MB": "16"}).wait_ready()

    app.wait_for_output("listening on")
    markers = ["starting lab-app", "data directory ready", "Wired inventoryRepository",
               "working set ready: 16 MiB", "listening on"]
    positions = [app.output().index(marker) for marker in markers]
    assert positions == sorted(positions)


def test_without_config_file_there_is_no_wiring_step(start_app):
    app = start_app().wait_ready()

    assert "labkit" not in app.output()


def test_version_flag(start_app):
    app = start_app(args=["--version"])

    assert app.wait_exit() == 0
    assert app.output() == "lab-app 0.1.0\n"


def test_unexpected_arguments_exit_2(start_app):
    app = start_app(args=["--serve"])

    assert app.wait_exit() == 2
    assert "FATAL unexpected arguments ['--serve']" in app.output()


@pytest.mark.parametrize("name, value", [
    ("APP_PORT", "http"), ("APP_PORT", "70000"),
    ("APP_WORKING_SET_MB", "64Mi"), ("APP_WORKING_SET_MB", "-1"),
])
def test_invalid_number_settings_exit_2(start_app, name, value):
    app = start_app({name: value})

    assert app.wait_exit() == 2
    assert f"FATAL invalid {name}={value!r}: expected a whole number from" in app.output()


def test_port_in_use_exits_1(start_app):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = start_app({"APP_PORT": str(port)})

        assert app.wait_exit() == 1
    assert f"FATAL cannot listen on 0.0.0.0:{port}: Address already in use (errno 98)" \
        in app.output()


def test_script_is_executable_with_a_python3_shebang():
    assert APP.read_text().startswith("#!/usr/bin/env python3\n")
    assert APP.stat().st_mode & 0o111
