"""The data directory step: the workshop's sample 4 (runAsUser: 1234)."""

import os
import pwd
import subprocess

import pytest

from .conftest import APP_UID, OTHER_UID


def owned_dir(path, uid, mode=0o700):
    path.mkdir()
    os.chown(path, uid, uid)
    path.chmod(mode)
    return path


def has_passwd_entry(uid):
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def test_creates_cache_and_writes_a_file(start_app, tmp_path):
    data = tmp_path / "data"
    app = start_app({"APP_DATA_DIR": str(data)}).wait_ready()

    assert (data / "cache" / "last-start").read_text().startswith(f"{app.proc.pid} ")
    assert f"INFO  data directory ready: {data}/cache" in app.output()


def test_existing_cache_is_fine(start_app, tmp_path):
    (tmp_path / "data" / "cache").mkdir(parents=True)

    start_app().wait_ready()


def test_other_uid_gets_permission_denied(start_app, shared_dir, python_for_any_uid,
                                          world_readable_app):
    data = owned_dir(shared_dir / "data", APP_UID)
    app = start_app({"APP_DATA_DIR": str(data)}, python=python_for_any_uid,
                    script=world_readable_app, user=OTHER_UID)

    assert app.wait_exit() == 1
    out = app.output()
    assert (f"FATAL cannot prepare data directory: mkdir {data}/cache: Permission denied "
            f"(errno 13); running as uid {OTHER_UID}, the directory belongs to uid {APP_UID} "
            "(mode 0700)") in out
    assert "listening on" not in out
    if not has_passwd_entry(OTHER_UID):
        assert f"WARN  uid {OTHER_UID} has no entry in /etc/passwd (I have no name!)" in out


def test_owner_uid_may_write(start_app, shared_dir, python_for_any_uid, world_readable_app):
    data = owned_dir(shared_dir / "data", APP_UID)
    app = start_app({"APP_DATA_DIR": str(data)}, python=python_for_any_uid,
                    script=world_readable_app, user=APP_UID).wait_ready()

    assert (data / "cache" / "last-start").stat().st_uid == APP_UID
    assert f"uid {APP_UID}, gid {APP_UID}" in app.output()


def test_data_dir_that_is_a_file(start_app, tmp_path):
    data = tmp_path / "data"
    data.write_text("not a directory")
    app = start_app({"APP_DATA_DIR": str(data)})

    assert app.wait_exit() == 1
    assert (f"FATAL cannot prepare data directory: mkdir {data}/cache: Not a directory "
            "(errno 20)") in app.output()


@pytest.fixture
def read_only_dir(tmp_path):
    path = tmp_path / "ro"
    path.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path)],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {mount.stderr.strip()}")
    yield path
    subprocess.run(["umount", str(path)], check=True)


def test_read_only_filesystem(start_app, read_only_dir):
    app = start_app({"APP_DATA_DIR": str(read_only_dir)})

    assert app.wait_exit() == 1
    assert (f"FATAL cannot prepare data directory: mkdir {read_only_dir}/cache: Read-only file "
            "system (errno 30); the filesystem is mounted read-only") in app.output()
