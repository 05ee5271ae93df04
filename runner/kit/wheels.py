"""Which Python packages a kit carries: wheels for every Python and platform in the room.

Standard library only: `runner.kit.check` uses it with the system Python, before the
virtualenv exists. A target is one CPython minor on one OS/CPU, named like the tools
(`3.12 darwin/arm64`); `pip download` fetches each target's wheels with the target tags
below, and the participant's check finds its own target in the manifest's list.
"""

import platform
import sys
from dataclasses import dataclass

from runner.kind import versions

# requires-python is ">=3.10"; 3.15 is the newest CPython with wheels for every dependency.
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
# pyproject.toml's [build-system] requires: the editable install builds crashlab itself from
# the kit with --no-index, so the backend must be there too (a test checks they agree).
BUILD_REQUIRES = ("setuptools>=68",)

# The wheel platform tags each target accepts, newest first. Linux: manylinux_2_28 down to the
# oldest manylinux, since glibc 2.28 (RHEL 8, Debian 10) is the oldest of the distributions
# today's Docker Engine installs on; pip does not widen a PEP 600 tag by itself. macOS: 13.0,
# pip widening it to older releases and universal2 (pip's compatibility_tags._mac_platforms);
# Docker Desktop needs a newer macOS than that anyway.
_LINUX_MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}
_MAC_MACHINE = {"amd64": "x86_64", "arm64": "arm64"}


def platform_tags(os_name: str, arch: str) -> tuple[str, ...]:
    if os_name == "darwin":
        return (f"macosx_13_0_{_MAC_MACHINE[arch]}",)
    machine = _LINUX_MACHINE[arch]
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(28, 16, -1)]
    tags.append(f"manylinux2014_{machine}")
    if machine == "x86_64":
        tags += [f"manylinux_2_12_{machine}", f"manylinux2010_{machine}",
                 f"manylinux_2_5_{machine}", f"manylinux1_{machine}"]
    return tuple(tags)


@dataclass(frozen=True)
class Target:
    python: str  # "3.12"
    platform: str  # "darwin/arm64", as runner.kind.versions names it

    @property
    def key(self) -> str:
        return f"{self.python} {self.platform}"

    @property
    def abi(self) -> str:
        return "cp" + self.python.replace(".", "")

    def pip_options(self) -> list[str]:
        """`pip download` options that select this target's wheels, whatever pip runs on."""
        options = ["--only-binary=:all:", "--implementation", "cp", "--python-version",
                   self.python, "--abi", self.abi]
        for tag in platform_tags(*self.platform.split("/")):
            options += ["--platform", tag]
        return options


def targets(pythons: tuple[str, ...] = PYTHONS) -> tuple[Target, ...]:
    return tuple(Target(python, f"{os_name}/{arch}") for python in pythons
                 for os_name in versions.OPERATING_SYSTEMS for arch in versions.ARCHITECTURES)


def parse_key(key: str) -> Target:
    python, _, where = key.partition(" ")
    return Target(python, where)


def this_target() -> Target | None:
    """The running interpreter's target; None on a Python or machine no kit can serve."""
    found = versions.platform_of(platform.system(), platform.machine())
    if found is None or sys.implementation.name != "cpython":
        return None
    return Target(f"{sys.version_info[0]}.{sys.version_info[1]}", "/".join(found))


def describe_here() -> str:
    """'Python 3.11 on linux/amd64' (or what keeps this interpreter out of every kit)."""
    python = f"{platform.python_implementation()} {sys.version_info[0]}.{sys.version_info[1]}"
    found = versions.platform_of(platform.system(), platform.machine())
    where = "/".join(found) if found else f"{platform.system()} {platform.machine()}"
    return f"{python} on {where}"
