"""`workshop prepare` for every lab and a class mystery round: one ServiceAccount and
kubeconfig per participant, a namespace and Role per scenario of each lab, teardown of all."""

import yaml

from runner import mystery, placement, workshop
from runner.catalog import load_catalog
from runner.cluster import connect
from tests.cli.helpers import run_cli

CATALOG = load_catalog()


def _prepare(k8s_api, tmp_path, *extra):
    names = tmp_path / "class.txt"
    names.write_text("ada\n")
    return run_cli("workshop", "prepare", "--participants", str(names), "--context",
                   k8s_api.context, "--out", str(tmp_path / "kc"), *extra,
                   environ=k8s_api.environ)


def test_prepare_all_labs_and_the_class_mystery_round(k8s_api, tmp_path):
    result = _prepare(k8s_api, tmp_path, "--lab", "all", "--mystery", "3", "--seed", "wed")
    assert result.code == 0, result.stderr
    assert "crashlab run lab-3 / crashlab run lab-3-plus / crashlab run lab-3 --mystery 3 " \
           "--seed wed --participant <name>" in result.stdout
    admin = k8s_api.connect()
    owned = {ns["metadata"]["name"] for ns in admin.list_owned_namespaces()}
    expected = {placement.namespace_name("ada", lab.slug(s)) for lab in CATALOG.labs.values()
                for s in lab.scenario_ids}
    expected |= {f"crashlab-ada-mystery-{n}" for n in (1, 2, 3)}
    assert owned == expected
    # one ServiceAccount, in the first lab's first namespace, bound in every namespace
    accounts = [sa for ns in expected for sa in admin.list("ServiceAccount", ns)
                if sa["metadata"]["name"] == workshop.service_account_name("ada")]
    assert [sa["metadata"]["namespace"] for sa in accounts] == ["crashlab-ada-storefront"]
    config = yaml.safe_load((tmp_path / "kc" / "ada.kubeconfig").read_text())
    ada = connect(k8s_api.context, str(tmp_path / "kc" / "ada.kubeconfig"))
    assert config["contexts"][0]["context"]["namespace"] == "crashlab-ada-storefront"
    # the mystery namespace of a drawn scenario with a Secret grants exactly that kind
    drawn = mystery.draw_scenarios(CATALOG, 3, "wed")
    for index, sid in enumerate(drawn.scenario_ids):
        role = admin.get("Role", workshop.ROLE_NAME, f"crashlab-ada-mystery-{index + 1}")
        wanted = workshop.participant_rules(f"crashlab-ada-mystery-{index + 1}",
                                            workshop.scenario_kinds(CATALOG.scenario(sid)))
        assert role["rules"] == wanted
    assert ada.get("Namespace", "crashlab-ada-mystery-1") is not None

    down = run_cli("workshop", "teardown", "--context", k8s_api.context, "--lab", "all",
                   "--lab", "mystery", environ=k8s_api.environ)
    assert down.code == 0, down.stderr
    assert f"removed {len(expected)} namespace(s)" in down.stdout
    assert not list(admin.list_owned_namespaces())


def test_a_class_mystery_round_needs_both_count_and_seed(k8s_api, tmp_path):
    result = _prepare(k8s_api, tmp_path, "--mystery", "3")
    assert result.code == 2
    assert result.stderr.strip() == ("crashlab: error: a mystery round on a shared cluster is "
                                     "one draw for the class: give both --mystery N and --seed S")
    assert _prepare(k8s_api, tmp_path, "--lab", "lab-9").code == 2
