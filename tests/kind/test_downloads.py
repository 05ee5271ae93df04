"""kind and kubectl come with the lab: offered, downloaded from a local test server,
checked against the published SHA-256, installed into the tools folder and used."""

import io
import platform

import pytest

from runner.kind import downloads, versions
from tests.kind.download_server import DownloadServer
from tests.kind.harness import launcher
from tests.kind.test_preflight import error_lines


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def server():
    served = DownloadServer({"kind": launcher().encode(), "kubectl": launcher().encode()})
    yield served
    served.stop()


@pytest.fixture
def bare(tools, server):
    """A machine with Docker and Python only: no kind, no kubectl; downloads allowed,
    from the local server."""
    tools.remove("kind")
    tools.remove("kubectl")
    del tools.environ["CRASHLAB_NO_DOWNLOAD"]
    tools.environ["CRASHLAB_DOWNLOAD_BASE"] = server.base
    return tools


def installed(tools) -> list[str]:
    return sorted(p.name for p in tools.tools_dir.iterdir()) if tools.tools_dir.exists() else []


def test_up_yes_downloads_verifies_installs_and_uses_both(bare, server):
    result = bare.cli("cluster", "up", "--yes")

    assert result.code == 0, result.err
    assert installed(bare) == ["kind", "kubectl"]
    assert (bare.tools_dir / "kind").stat().st_mode & 0o111
    for tool, version in (("kind", "v0.33.0"), ("kubectl", "v1.35.8")):
        assert f"Downloading {tool} {version} (" in result.out
        assert f"SHA-256 verified, installed as {bare.tools_dir / tool}" in result.out
        assert bare.paths_used(tool) == {str(bare.tools_dir / tool)}
    assert "Checking docker, kind, kubectl again: docker 27.3.1, kind v0.33.0, kubectl v1.35.8" \
        in result.out
    assert "Ready: context kind-crashlab" in result.out
    assert len(server.requests) == 4  # two binaries, two checksum files


def test_a_corrupted_download_is_refused_and_deleted(bare, server):
    server.modes["kind"] = "corrupted"

    result = bare.cli("cluster", "up", "--yes")

    assert result.code == 3
    [line] = error_lines(result.err)
    assert line.startswith("crashlab: error: kind v0.33.0 from http://127.0.0.1:")
    assert "not the published" in line and "the file was deleted" in line
    assert installed(bare) == []  # neither kind nor its partial file
    assert not any(call[:2] == ["kind", "create"] for call in bare.calls())


def test_a_404_stops_with_one_line(bare, server):
    server.modes["kubectl"] = "missing"

    result = bare.cli("cluster", "up", "--yes")

    assert result.code == 3
    [line] = error_lines(result.err)
    assert "could not download http://127.0.0.1:" in line
    assert "the server answered 404 Not Found" in line
    assert "kubectl" not in installed(bare)


def test_no_download_variable_refuses_and_prints_the_manual_steps(bare, server):
    bare.environ["CRASHLAB_NO_DOWNLOAD"] = "1"

    result = bare.cli("cluster", "up", "--yes")

    assert result.code == 3
    assert [line.split(" not found")[0] for line in error_lines(result.err)] == [
        "crashlab: error: kind", "crashlab: error: kubectl"]
    os_name, arch = versions.platform_of(platform.system(), platform.machine())
    kind_url, kind_sum = versions.download_urls("kind", os_name, arch, server.base)
    assert f"  curl -fLo kind {kind_url}" in result.err
    assert f"  curl -fLo kind.sha256 {kind_sum}" in result.err
    assert f"mv kubectl {bare.tools_dir}/" in result.err
    assert "run again with --yes" not in result.err
    assert server.requests == [] and installed(bare) == []


def test_no_terminal_and_no_yes_refuses_and_says_how_to_accept(bare, server):
    result = bare.cli("cluster", "up")

    assert result.code == 3
    assert "run again with --yes to let crashlab download kind v0.33.0 and kubectl v1.35.8" \
        in result.err
    assert server.requests == []


@pytest.mark.parametrize("answer, downloaded", [("y\n", True), ("\n", True), ("n\n", False)])
def test_a_person_at_a_terminal_is_asked(bare, server, answer, downloaded):
    from runner.cli import main
    from runner.cli.env import Environment

    stdout, stderr = Terminal(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, stdin=Terminal(answer),
                      environ=dict(bare.environ))
    code = main(["cluster", "up"], env=env)

    assert "Download kind v0.33.0 and kubectl v1.35.8 for " in stdout.getvalue()
    assert f"into {bare.tools_dir}? [Y/n]" in stdout.getvalue()
    assert (code == 0) is downloaded, stderr.getvalue()
    assert installed(bare) == (["kind", "kubectl"] if downloaded else [])
    if downloaded:
        assert "✓ Downloading kind v0.33.0" in stdout.getvalue()


def test_tools_already_present_fetch_nothing(tools, server):
    del tools.environ["CRASHLAB_NO_DOWNLOAD"]
    tools.environ["CRASHLAB_DOWNLOAD_BASE"] = server.base

    assert tools.cli("cluster", "up", "--yes").code == 0
    assert server.requests == [] and installed(tools) == []


def test_a_kind_too_old_on_path_is_replaced_by_the_downloaded_one(bare, server):
    bare.install("kubectl")
    bare.install("kind")  # on PATH, and the stub world makes it answer v0.26.0
    bare.world["kind"]["version"] = "0.26.0"
    bare.save()

    result = bare.cli("cluster", "up", "--yes")

    # only kind is fetched, and the second check asks the downloaded copy, not PATH's;
    # it shares the stub world, so it still says v0.26.0: refused once, no loop
    assert installed(bare) == ["kind"]
    assert bare.paths_used("kind") == {str(bare.bin / "kind"), str(bare.tools_dir / "kind")}
    assert result.code == 3
    assert "kind v0.26.0 is too old" in result.err


def test_run_yes_downloads_too(bare, server, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("bad-command: {cause: bad_command, evidence: exec-message}\n")
    bare.world["docker"]["daemon"] = "up"
    bare.save()

    result = bare.cli("run", "lab-3", "--participant", "ada", "--answers", str(answers),
                      "--yes", "--results", str(tmp_path / "results"))

    assert installed(bare) == ["kind", "kubectl"]
    assert any(call[:3] == ["kind", "create", "cluster"] for call in bare.calls())
    assert bare.paths_used("kind") == {str(bare.tools_dir / "kind")}
    assert result.code != 3, result.err


# ------------------------------------------------------------------ pure parts

@pytest.mark.parametrize("os_name", versions.OPERATING_SYSTEMS)
@pytest.mark.parametrize("arch", versions.ARCHITECTURES)
def test_download_urls_follow_the_published_schemes(os_name, arch):
    kind, kind_sum = versions.download_urls("kind", os_name, arch)
    kubectl, kubectl_sum = versions.download_urls("kubectl", os_name, arch)

    assert kind == ("https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/"
                    f"kind-{os_name}-{arch}")
    assert kind_sum == kind + ".sha256sum"
    assert kubectl == f"https://dl.k8s.io/release/v1.35.8/bin/{os_name}/{arch}/kubectl"
    assert kubectl_sum == kubectl + ".sha256"


@pytest.mark.parametrize("system, machine, expected", [
    ("Linux", "x86_64", ("linux", "amd64")), ("Linux", "aarch64", ("linux", "arm64")),
    ("Darwin", "arm64", ("darwin", "arm64")), ("Darwin", "x86_64", ("darwin", "amd64")),
    ("Windows", "AMD64", None), ("Linux", "s390x", None),
])
def test_platform_of(system, machine, expected):
    assert versions.platform_of(system, machine) == expected


def test_published_checksum_formats():
    digest = "a" * 64
    assert downloads.parse_published_checksum(digest + "\n") == digest  # kubectl.sha256
    assert downloads.parse_published_checksum(f"{digest.upper()}  kind-linux-amd64\n") == digest
    for bad in ("", "<html>404</html>", "abc  kind"):
        with pytest.raises(downloads.ChecksumFormatError):
            downloads.parse_published_checksum(bad)


def test_tools_dir_is_the_projects_own(tmp_path):
    assert downloads.tools_dir({"CRASHLAB_TOOLS_DIR": str(tmp_path)}) == tmp_path
    assert downloads.tools_dir({}, prefix="/p/.venv", base_prefix="/usr") == \
        downloads.Path("/p/.venv/bin")
    assert downloads.tools_dir({"HOME": str(tmp_path)}, prefix="/usr", base_prefix="/usr") == \
        tmp_path / ".crashlab" / "bin"


def test_a_repo_pinned_checksum_that_disagrees_stops_before_downloading(server, tmp_path):
    """PINNED_SHA256 (empty until a citable source gives the digests) is checked too."""
    from dataclasses import replace

    from runner.kind.fetch import DownloadFailed, fetch_tool

    [item] = downloads.plan(["kind"], platform.system(), platform.machine(),
                            {"CRASHLAB_DOWNLOAD_BASE": server.base})
    with pytest.raises(DownloadFailed, match="differs from the one pinned in crashlab"):
        fetch_tool(replace(item, pinned_sha256="0" * 64), tmp_path / "tools")

    assert not (tmp_path / "tools").exists()
    assert [path.rsplit("/", 1)[-1] for path in server.requests] == [
        item.checksum_url.rsplit("/", 1)[-1]]
    good = fetch_tool(replace(item, pinned_sha256=None), tmp_path / "tools")
    assert good.read_bytes() == server.binaries["kind"]
