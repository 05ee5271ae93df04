"""Preflight: is Docker answering, are kind and kubectl on PATH, which versions?

Every problem found becomes one line that names what is missing and how to
get it; `preflight()` raises them together as a `PreflightFailed` (exit 3).
"""

import json
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from runner.errors import EnvironmentProblem
from runner.kind._run import INSTALL_LINKS, ToolNotFound, ToolTimedOut, run
from runner.kind.versions import KIND_MINIMUM, KIND_VERSION, NODE_IMAGE, version_tuple

MIN_KIND = version_tuple(KIND_MINIMUM)
PINNED_KIND = version_tuple(KIND_VERSION)
MIN_DOCKER = (20, 10)  # kind v0.20.0 release notes: "Docker 20.10.0+ is now required"
ALL_TOOLS = ("docker", "kind", "kubectl")
CHECK_TIMEOUT = 15.0

_SEMVER = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")
# The Docker CLI's "daemon not answering" error, as the Go client words it:
# before Docker 29 (moby client/errors.go errConnectionFailed) "Cannot connect to the
# Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"; from
# Docker 29 (moby/moby client, v29) "failed to connect to the docker API at
# unix:///var/run/docker.sock; check if the path is correct and if the daemon is running".
_DOCKER_DOWN = ("Cannot connect to the Docker daemon", "failed to connect to the docker API at")
_DOCKER_DENIED = "permission denied"


class PreflightFailed(EnvironmentProblem):
    """One or more tools are missing or not running; `problems` has one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ToolCheck:
    """The outcome of checking one tool: its version, or the line that says how to fix it."""

    tool: str
    version: str | None = None
    problem: str | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class PreflightReport:
    """Every tool checked, in the order asked for."""

    checks: tuple[ToolCheck, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> list[str]:
        return [check.problem for check in self.checks if check.problem]

    def version(self, tool: str) -> str | None:
        return next((c.version for c in self.checks if c.tool == tool), None)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """The first `[v]X.Y[.Z]` in `text` as numbers ('kind v0.29.0 go1.24.2' -> (0, 29, 0))."""
    found = _SEMVER.search(text)
    if not found:
        return None
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch or 0)


def check_docker(environ: Mapping[str, str] | None = None) -> ToolCheck:
    """Ask the Docker daemon (not just the client) for its version."""
    result = run(["docker", "version", "--format", "{{.Server.Version}}"],
                 environ=environ, timeout=CHECK_TIMEOUT)
    output = result.stdout.strip()
    if result.ok and output:
        return _check_docker_version(output)
    said = result.last_error_line()
    if any(wording in result.stderr for wording in _DOCKER_DOWN):
        return ToolCheck("docker", problem="Docker is installed but its daemon is not running "
                         f"({said}): start Docker Desktop or `sudo systemctl start docker`")
    if _DOCKER_DENIED in result.stderr.lower():
        return ToolCheck("docker", problem="Docker refused this user "
                         "(permission denied on its socket): add yourself to the docker group, "
                         "see https://docs.docker.com/engine/install/linux-postinstall/")
    return ToolCheck("docker", problem=f"Docker is not answering ({said}): "
                     f"check your installation ({INSTALL_LINKS['docker']})")


def _check_docker_version(output: str) -> ToolCheck:
    found = parse_version(output)
    if found and found[:2] < MIN_DOCKER:
        wanted = ".".join(map(str, MIN_DOCKER))
        return ToolCheck("docker", version=output, problem=f"Docker {output} is too old: kind "
                         f"needs Docker >= {wanted}; upgrade it ({INSTALL_LINKS['docker']})")
    return ToolCheck("docker", version=output)


def check_kind(environ: Mapping[str, str] | None = None) -> ToolCheck:
    """`kind version` prints e.g. `kind v0.29.0 go1.24.2 linux/amd64`."""
    result = run(["kind", "version"], environ=environ, timeout=CHECK_TIMEOUT)
    found = parse_version(result.stdout) if result.ok else None
    if found is None:
        return ToolCheck("kind", problem=f"`kind version` failed ({result.last_error_line()}): "
                         f"reinstall kind ({INSTALL_LINKS['kind']})")
    version = "v" + ".".join(map(str, found))
    if found < MIN_KIND:
        return ToolCheck("kind", version=version, problem=f"kind {version} is too old: crashlab "
                         f"needs kind >= {KIND_MINIMUM} (older kind cannot read the containerd 2 "
                         f"config of {NODE_IMAGE.split('@')[0]}); install kind {KIND_VERSION} "
                         f"({INSTALL_LINKS['kind']})")
    return ToolCheck("kind", version=version, warning=_node_image_warning(found, version))


def _node_image_warning(found: tuple[int, int, int], version: str) -> str | None:
    if found == PINNED_KIND:
        return None
    return (f"kind {version} is not {KIND_VERSION}, the release that built the pinned node "
            f"image {NODE_IMAGE.split('@')[0]}; it may work, {KIND_VERSION} is the tested one")


def check_kubectl(environ: Mapping[str, str] | None = None) -> ToolCheck:
    """`kubectl version --client -o json` never contacts a cluster."""
    result = run(["kubectl", "version", "--client", "-o", "json"],
                 environ=environ, timeout=CHECK_TIMEOUT)
    version = _kubectl_git_version(result.stdout) if result.ok else None
    if version is None:
        return ToolCheck("kubectl", problem=f"`kubectl version --client` failed "
                         f"({result.last_error_line()}): reinstall kubectl "
                         f"({INSTALL_LINKS['kubectl']})")
    return ToolCheck("kubectl", version=version)


def _kubectl_git_version(stdout: str) -> str | None:
    try:
        return json.loads(stdout)["clientVersion"]["gitVersion"]
    except (ValueError, KeyError, TypeError):
        return None


def check_api(context: str, environ: Mapping[str, str] | None = None,
              timeout: int = 5) -> ToolCheck:
    """Ask the API server of `context` for its version with `kubectl version -o json`.

    kubectl starts in tens of milliseconds, where importing the Python client
    costs a quarter of a second or more: this is the fast check for `status`.
    """
    result = run(["kubectl", "version", "-o", "json", "--context", context,
                  f"--request-timeout={timeout}s"], environ=environ, timeout=timeout + 10)
    version = _server_git_version(result.stdout) if result.ok else None
    if version is None:
        return ToolCheck("api", problem=f"the API server of context {context!r} did not answer "
                         f"({result.last_error_line()}): check `kubectl cluster-info "
                         f"--context {context}`")
    return ToolCheck("api", version=version)


def _server_git_version(stdout: str) -> str | None:
    try:
        return json.loads(stdout)["serverVersion"]["gitVersion"]
    except (ValueError, KeyError, TypeError):
        return None


_CHECKS = {"docker": check_docker, "kind": check_kind, "kubectl": check_kubectl}


def _check_one(tool: str, environ: Mapping[str, str] | None) -> ToolCheck:
    try:
        return _CHECKS[tool](environ)
    except (ToolNotFound, ToolTimedOut) as problem:
        return ToolCheck(tool, problem=str(problem))


def check_tools(environ: Mapping[str, str] | None = None,
                tools: Iterable[str] = ALL_TOOLS) -> PreflightReport:
    """Check `tools` concurrently (each is a short subprocess) and report all of them."""
    tools = tuple(tools)
    with ThreadPoolExecutor(max_workers=len(tools) or 1) as pool:
        checks = pool.map(lambda tool: _check_one(tool, environ), tools)
        return PreflightReport(tuple(checks))


def preflight(environ: Mapping[str, str] | None = None,
              tools: Iterable[str] = ALL_TOOLS) -> PreflightReport:
    """Like `check_tools`, but raise `PreflightFailed` (exit 3) when anything is missing."""
    report = check_tools(environ, tools)
    if not report.ok:
        raise PreflightFailed(report.problems)
    return report
