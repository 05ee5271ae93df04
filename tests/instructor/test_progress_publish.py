"""Publishing the progress record into the participant's namespace, with only the rights
`workshop prepare` grants: written, refused (403), absent (404), unreachable."""

import json

import pytest

from runner import progress, results
from runner.results import records
from runner.cluster import connect
from runner.errors import ClusterError
from tests.cli.helpers import run_cli

ADA_HOME, GRACE_HOME = "crashlab-ada-storefront", "crashlab-grace-storefront"
NAME = progress.configmap_name("lab-3")


@pytest.fixture
def kubeconfigs(k8s_api, tmp_path):
    names = tmp_path / "class.txt"
    names.write_text("ada\ngrace\n")
    out = tmp_path / "kubeconfigs"
    result = run_cli("workshop", "prepare", "--participants", str(names), "--out", str(out),
                     "--context", k8s_api.context, environ=k8s_api.environ)
    assert result.code == 0, result.stderr
    return out


def _as(k8s_api, kubeconfigs, who):
    return connect(k8s_api.context, str(kubeconfigs / f"{who}.kubeconfig"))


def _record(participant, status="investigating"):
    record = records.new_record("lab-3", participant, ["bad-command", "oom-killed"])
    record["scenarios"][0].update(status=status, cause="bad_command")
    return record


def test_a_participant_writes_and_updates_their_own_record(k8s_api, kubeconfigs):
    said = []
    publisher = progress.ProgressPublisher(_as(k8s_api, kubeconfigs, "ada"), ADA_HOME, key="k",
                                           say=said.append)
    assert publisher.publish(_record("ada")) == progress.WRITTEN
    assert publisher.publish(_record("ada", "fixing")) == progress.WRITTEN
    stored = k8s_api.emulator.store.get("configmaps", ADA_HOME, NAME)
    record = json.loads(stored["data"][progress.DATA_KEY])
    assert record["scenarios"][0]["status"] == "fixing" and results.verify_results(record, "k") == "ok"
    assert stored["metadata"]["labels"][progress.PROGRESS_KEY] == "true"
    assert said == [] and k8s_api.emulator.rbac.denied == []
    assert k8s_api.emulator.count("PUT", f"{ADA_HOME}/configmaps/{NAME}") == 1  # the update


def test_a_refused_write_is_said_once_and_then_not_tried_again(k8s_api, kubeconfigs):
    said = []
    publisher = progress.ProgressPublisher(_as(k8s_api, kubeconfigs, "ada"), GRACE_HOME,
                                           say=said.append)
    assert publisher.publish(_record("ada")) == progress.REFUSED
    before = len(k8s_api.emulator.requests)
    assert publisher.publish(_record("ada")) == progress.OFF
    assert len(k8s_api.emulator.requests) == before
    assert len(said) == 1 and "saved on this computer" in said[0] and "forbids" in said[0]
    assert not k8s_api.emulator.store.exists("configmaps", GRACE_HOME, NAME)


def test_a_participant_cannot_read_or_change_another_participants_record(k8s_api, kubeconfigs):
    grace = progress.ProgressPublisher(_as(k8s_api, kubeconfigs, "grace"), GRACE_HOME)
    assert grace.publish(_record("grace")) == progress.WRITTEN
    ada = _as(k8s_api, kubeconfigs, "ada")
    forged = progress.progress_configmap(_record("grace", "verified"), GRACE_HOME)
    attempts = [lambda: ada.get("ConfigMap", NAME, GRACE_HOME),
                lambda: ada.apply([forged], GRACE_HOME),
                lambda: ada.delete("ConfigMap", NAME, GRACE_HOME),
                lambda: ada.list("ConfigMap", GRACE_HOME),
                lambda: ada.list("ConfigMap")]
    for attempt in attempts:
        with pytest.raises(ClusterError, match="forbids"):
            attempt()
    stored = k8s_api.emulator.store.get("configmaps", GRACE_HOME, NAME)
    assert json.loads(stored["data"][progress.DATA_KEY])["participant"] == "grace"


def test_a_missing_namespace_turns_publishing_off(k8s_api):
    said = []
    publisher = progress.ProgressPublisher(k8s_api.connect(), "crashlab-nobody-x", say=said.append)
    assert publisher.publish(_record("ada")) == progress.ABSENT
    assert publisher.publish(_record("ada")) == progress.OFF and len(said) == 1


def test_an_unreachable_cluster_is_tried_again_later_and_said_once(k8s_api):
    said, now = [], [0.0]
    admin = k8s_api.connect()
    admin.ensure_namespace(ADA_HOME, progress.progress_configmap(
        _record("ada"), ADA_HOME)["metadata"]["labels"])
    publisher = progress.ProgressPublisher(admin, ADA_HOME, say=said.append, clock=lambda: now[0])
    k8s_api.server.close()
    assert publisher.publish(_record("ada")) == progress.UNREACHABLE
    assert publisher.publish(_record("ada")) == progress.UNREACHABLE  # not sent: waiting to retry
    now[0] = progress.RETRY_AFTER + 1
    assert publisher.publish(_record("ada")) == progress.UNREACHABLE  # tried again, still gone
    assert len(said) == 1 and "cannot reach" in said[0] and "carries on" in said[0]


def test_the_session_publishes_only_where_workshop_prepare_made_the_namespace(k8s_api, kubeconfigs):
    from runner.catalog import load_catalog
    from runner.placement import namespace_name, owner_labels

    lab = load_catalog().labs["lab-3"]
    ada = progress.publisher_for(_as(k8s_api, kubeconfigs, "ada"), lab, "ada",
                                 environ={"CRASHLAB_GRADING_KEY": "k"})
    assert ada is not None and ada.namespace == ADA_HOME and ada.key == "k"
    admin = k8s_api.connect()
    admin.ensure_namespace(namespace_name("solo", lab.slug(lab.scenario_ids[0])),
                           owner_labels("lab-3", lab.key(lab.scenario_ids[0]), "solo"))
    assert progress.publisher_for(admin, lab, "solo") is None        # a laptop-style run
    assert progress.publisher_for(admin, lab, "nobody") is None      # no namespace at all
