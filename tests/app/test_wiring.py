"""Dependency wiring: the workshop's sample 3, a Spring-style startup failure."""

import json

import pytest

FAILURE_MARKERS = [
    "ERROR labkit.boot  Application run failed",
    "Traceback (most recent call last):",
    "The above exception was the direct cause of the following exception:",
    "labkit.beans.BeanCreationError: Error creating bean with name 'inventoryRepository': ",
    "***************************\nAPPLICATION FAILED TO START\n***************************",
    "\nDescription:\n",
    "\nAction:\n",
]


def write_config(tmp_path, text):
    path = tmp_path / "application.properties"
    path.write_text(text)
    return path


def assert_wiring_failed(app, config):
    assert app.wait_exit() == 1
    out = app.output()
    for marker in FAILURE_MARKERS:
        assert marker in out
    assert "backend.url" in out.split("Traceback", 1)[1]
    assert f"Set backend.url in {config}" in out
    assert "listening on" not in out
    return out


def test_missing_config_file(start_app, tmp_path):
    config = tmp_path / "absent.properties"
    app = start_app({"APP_CONFIG_FILE": str(config)})

    out = assert_wiring_failed(app, config)
    assert f"FileNotFoundError: [Errno 2] No such file or directory: '{config}'" in out
    assert f"Could not load properties from {config} to resolve 'backend.url'" in out
    assert f"The configuration file {config} (APP_CONFIG_FILE) could not be read" in out


def test_config_path_is_a_directory(start_app, tmp_path):
    app = start_app({"APP_CONFIG_FILE": str(tmp_path)})

    out = assert_wiring_failed(app, tmp_path)
    assert "IsADirectoryError" in out


@pytest.mark.parametrize("text", [
    "# backend.url=postgres://db:5432/inventory\n",
    "backend.url=\n",
    "",
])
def test_missing_or_empty_backend_url(start_app, tmp_path, text):
    config = write_config(tmp_path, text)
    app = start_app({"APP_CONFIG_FILE": str(config)})

    out = assert_wiring_failed(app, config)
    placeholder = "Could not resolve placeholder 'backend.url' in value \"${backend.url}\""
    assert f"labkit.config.PlaceholderResolutionError: {placeholder}" in out
    assert f"Error creating bean with name 'inventoryRepository': {placeholder}" in out
    assert f"could not be found (or is empty) in {config}" in out


@pytest.mark.parametrize("url, problem", [
    ("localhost:5432", "scheme must be one of"),
    ("ftp://files/inventory", "scheme must be one of"),
    ("postgres:///inventory", "no host"),
    ("postgres://db:port/inventory", "Port could not be cast to integer value"),
    ("http://db:99999/", "Port out of range"),
])
def test_invalid_backend_url(start_app, tmp_path, url, problem):
    config = write_config(tmp_path, f"backend.url={url}\n")
    app = start_app({"APP_CONFIG_FILE": str(config)})

    out = assert_wiring_failed(app, config)
    assert f"labkit.config.InvalidPropertyError: Invalid value for 'backend.url': {url!r}" in out
    assert f"has the value {url!r}, which is not a valid backend URL: {problem}" in out


def test_invalid_url_does_not_leak_the_password(start_app, tmp_path):
    config = write_config(tmp_path, "backend.url=ftp://app:s3cret@db/x\n")
    app = start_app({"APP_CONFIG_FILE": str(config)})

    out = assert_wiring_failed(app, config)
    assert "s3cret" not in out
    assert "ftp://app:****@db/x" in out


@pytest.mark.parametrize("line, url", [
    ("backend.url=postgres://inventory-db:5432/inventory",
     "postgres://inventory-db:5432/inventory"),
    ("backend.url: https://api.example.test/v1", "https://api.example.test/v1"),
    ("  backend.url = redis://cache:6379/0  ", "redis://cache:6379/0"),
    ("backend.url mysql://db/shop", "mysql://db/shop"),
])
def test_valid_config_wires_and_serves(start_app, tmp_path, line, url):
    config = write_config(tmp_path, f"# inventory service\n! legacy comment\nother=1\n{line}\n")
    app = start_app({"APP_CONFIG_FILE": str(config)}).wait_ready()

    assert f"INFO  labkit.boot  Wired inventoryRepository to backend {url}\n" in app.output()
    assert "APPLICATION FAILED TO START" not in app.output()
    assert json.loads(app.get("/")[1])["backend"] == url
    assert app.get("/healthz") == (200, "ok")


def test_password_is_masked(start_app, tmp_path):
    config = write_config(tmp_path, "backend.url=postgresql://app:s3cret@db:5432/inventory\n")
    app = start_app({"APP_CONFIG_FILE": str(config)}).wait_ready()

    masked = "postgresql://app:****@db:5432/inventory"
    assert f"Wired inventoryRepository to backend {masked}" in app.output()
    assert json.loads(app.get("/")[1])["backend"] == masked
    assert "s3cret" not in app.output()
