"""Which wheels a kit carries: every CPython crashlab runs on, on every OS/CPU of the tools."""

import sys
from pathlib import Path

import tomllib

from runner.kind import versions
from runner.kit import wheels
from runner.kit.wheels import Target

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_on_every_platform_is_a_target():
    targets = wheels.targets()
    assert len(targets) == len(wheels.PYTHONS) * 4 == 24
    assert {t.platform for t in targets} == {f"{o}/{a}" for o in versions.OPERATING_SYSTEMS
                                             for a in versions.ARCHITECTURES}
    assert [t.key for t in wheels.targets(("3.12",))] == [
        "3.12 linux/amd64", "3.12 linux/arm64", "3.12 darwin/amd64", "3.12 darwin/arm64"]
    assert wheels.parse_key("3.15 darwin/arm64") == Target("3.15", "darwin/arm64")


def test_the_pythons_follow_requires_python_and_the_build_backend_is_pyprojects():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == f">={wheels.PYTHONS[0]}"
    assert list(wheels.BUILD_REQUIRES) == project["build-system"]["requires"]


def test_pip_options_name_the_interpreter_and_every_platform_tag():
    options = Target("3.13", "linux/arm64").pip_options()
    assert options[:9] == ["--only-binary=:all:", "--implementation", "cp",
                           "--python-version", "3.13", "--abi", "cp313", "--platform",
                           "manylinux_2_28_aarch64"]
    tags = options[8::2]
    assert "manylinux2014_aarch64" in tags and "manylinux_2_17_aarch64" in tags
    assert not any("x86_64" in tag for tag in tags)
    assert wheels.platform_tags("linux", "amd64")[-1] == "manylinux1_x86_64"
    assert wheels.platform_tags("darwin", "arm64") == ("macosx_13_0_arm64",)
    assert wheels.platform_tags("darwin", "amd64") == ("macosx_13_0_x86_64",)


def test_this_interpreter_is_a_target():
    here = wheels.this_target()
    assert here is not None and here.python == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert here in wheels.targets()
    assert wheels.describe_here() == f"CPython {here.python} on {here.platform}"
