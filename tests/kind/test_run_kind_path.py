"""`crashlab run` and `crashlab clean --cluster` on the kind path, with stub tools on PATH."""

from tests.kind.test_preflight import error_lines


def _answers(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("bad-command: {cause: bad_command, evidence: exec-message}\n")
    return str(path)


def test_run_without_docker_stops_at_preflight_with_the_remedy_and_exit_3(tools, tmp_path):
    tools.world["docker"]["daemon"] = "down"
    tools.save()

    result = tools.cli("run", "lab-3", "--participant", "ada", "--answers", _answers(tmp_path), "--yes",
                       "--results", str(tmp_path / "results"))

    assert result.code == 3
    [line] = error_lines(result.err)
    assert "Docker is installed but its daemon is not running" in line
    assert not any(call[:2] == ["kind", "create"] for call in tools.calls())
    assert not (tmp_path / "results").exists()


def test_run_without_kind_names_it_and_where_to_get_it(tools, tmp_path):
    tools.remove("kind")

    result = tools.cli("run", "lab-3", "--participant", "ada", "--answers", _answers(tmp_path), "--yes")

    assert result.code == 3
    assert error_lines(result.err) == ["crashlab: error: kind not found on PATH: install it "
                                       "(https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"]


def test_clean_cluster_refuses_a_kind_cluster_the_lab_did_not_create(tools, tmp_path):
    tools.add_cluster("crashlab")
    # The cluster's API is down: clean goes straight to the cluster, which it must leave alone.
    dead = tmp_path / "dead-kubeconfig"
    dead.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: kind-crashlab\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: kind-crashlab, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n")
    tools.environ["KUBECONFIG"] = str(dead)

    result = tools.cli("clean", "--all", "--cluster")

    assert result.code == 4
    assert "was not created by crashlab" in result.err
    assert not [call for call in tools.calls("kind") if call[1] == "delete"]


def test_an_api_error_page_is_one_line(tools):
    result = tools.cli("clean", "--all")

    assert result.code == 4
    assert result.err.count("\n") == 1
    assert "refused listing namespaces: 404" in result.err and "<html" not in result.err
