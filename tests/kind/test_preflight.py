"""Preflight through the CLI: each missing piece is one line with its remedy, exit 3."""

import pytest

from runner.kind import check_tools
from runner.kind.preflight import parse_version

DOCKER_LINK = "https://docs.docker.com/get-docker/"
KIND_LINK = "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
KUBECTL_LINK = "https://kubernetes.io/docs/tasks/tools/"


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("crashlab: error: ")]


@pytest.mark.parametrize("tool, link", [
    ("docker", DOCKER_LINK), ("kind", KIND_LINK), ("kubectl", KUBECTL_LINK),
])
def test_a_missing_tool_is_one_line_naming_it_and_where_to_get_it(tools, tool, link):
    tools.remove(tool)

    result = tools.cli("cluster", "up")

    assert result.code == 3
    assert error_lines(result.err) == [
        f"crashlab: error: {tool} not found on PATH: install it ({link})"]
    assert not any(call[:3] == ["kind", "create", "cluster"] for call in tools.calls())


def test_every_missing_tool_gets_its_own_line(tools):
    for tool in ("docker", "kind", "kubectl"):
        tools.remove(tool)

    result = tools.cli("cluster", "up")

    assert result.code == 3
    lines = error_lines(result.err)
    assert len(lines) == 3
    assert [DOCKER_LINK in lines[0], KIND_LINK in lines[1], KUBECTL_LINK in lines[2]] == [True] * 3


def test_docker_daemon_down_quotes_docker_and_says_to_start_it(tools):
    tools.world["docker"]["daemon"] = "down"
    tools.save()

    result = tools.cli("cluster", "up")

    assert result.code == 3
    [line] = error_lines(result.err)
    assert "Docker is installed but its daemon is not running" in line
    assert "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" in line
    assert "start Docker Desktop or `sudo systemctl start docker`" in line


def test_docker_29_daemon_down_wording_is_recognised(tools):
    """Docker 29's CLI: "failed to connect to the docker API at ...; check if the path is
    correct and if the daemon is running" (moby/moby client, v29)."""
    tools.world["docker"]["daemon"] = "down29"
    tools.save()

    result = tools.cli("cluster", "up")

    assert result.code == 3
    [line] = error_lines(result.err)
    assert "Docker is installed but its daemon is not running" in line
    assert "failed to connect to the docker API at unix:///var/run/docker.sock" in line
    assert "start Docker Desktop or `sudo systemctl start docker`" in line


def test_docker_socket_permission_denied_points_at_the_docker_group(tools):
    tools.world["docker"]["daemon"] = "denied"
    tools.save()

    [line] = error_lines(tools.cli("cluster", "up").err)

    assert "permission denied" in line and "docker group" in line


@pytest.mark.parametrize("version", ["0.17.0", "0.26.0"])
def test_kind_older_than_the_first_release_reading_the_node_image_is_refused(tools, version):
    """kind < v0.27.0 cannot read containerd 2's config (kind #3853, #3871; commit 586b0389,
    first tagged v0.27.0): exit 3, naming the release to install."""
    tools.world["kind"]["version"] = version
    tools.save()

    result = tools.cli("cluster", "up")

    assert result.code == 3
    assert error_lines(result.err) == [
        (f"crashlab: error: kind v{version} is too old: crashlab needs kind >= v0.27.0 (older "
         "kind cannot read the containerd 2 config of kindest/node:v1.35.8); install kind "
         f"v0.33.0 ({KIND_LINK})")]
    assert not any(call[:3] == ["kind", "create", "cluster"] for call in tools.calls())


@pytest.mark.parametrize("version", ["0.27.0", "0.30.0", "0.34.1"])
def test_another_supported_kind_release_is_a_one_line_warning(tools, version):
    tools.world["kind"]["version"] = version
    tools.save()

    report = check_tools(tools.environ)

    assert report.ok
    [kind] = [check for check in report.checks if check.tool == "kind"]
    assert kind.version == f"v{version}"
    assert "\n" not in kind.warning
    assert f"kind v{version} is not v0.33.0" in kind.warning
    result = tools.cli("cluster", "up")
    assert result.code == 0, result.err
    assert f"crashlab: warning: kind v{version} is not v0.33.0" in result.err


def test_the_pinned_kind_release_gives_no_warning(tools):
    [kind] = [c for c in check_tools(tools.environ).checks if c.tool == "kind"]

    assert (kind.version, kind.warning) == ("v0.33.0", None)


def test_docker_older_than_kind_supports_is_refused(tools):
    tools.world["docker"]["server_version"] = "19.03.15"
    tools.save()

    [line] = error_lines(tools.cli("cluster", "up").err)

    assert "Docker 19.03.15 is too old" in line and ">= 20.10" in line


def test_report_carries_every_version(tools):
    report = check_tools(tools.environ)

    assert report.ok and report.problems == []
    assert [(c.tool, c.version) for c in report.checks] == [
        ("docker", "27.3.1"), ("kind", "v0.33.0"), ("kubectl", "v1.35.8")]


def test_status_shows_versions_and_missing_tools_then_exits_3(tools):
    tools.add_cluster("crashlab")
    tools.remove("kubectl")

    result = tools.cli("cluster", "status")

    assert result.code == 3
    assert "docker    27.3.1" in result.out
    assert "kubectl   not usable" in result.out
    assert error_lines(result.err) == [
        f"crashlab: error: kubectl not found on PATH: install it ({KUBECTL_LINK})"]


@pytest.mark.parametrize("text, expected", [
    ("kind v0.29.0 go1.24.2 linux/amd64", (0, 29, 0)),
    ("kind v0.30.0-alpha.12+0123456789abcd go1.24.6 darwin/arm64", (0, 30, 0)),
    ("v1.32.4-dispatcher", (1, 32, 4)),
    ("20.10", (20, 10, 0)),
    ("no version here", None),
])
def test_parse_version(text, expected):
    assert parse_version(text) == expected
