"""`crashlab reset` and `crashlab clean`: undo the lab, touching only what it owns."""

from __future__ import annotations

from runner import ownership
from runner.catalog import render_manifest_text
from runner.manifest_check import check_manifest_text
from runner.session import fixcheck, records, store, workspace


def reset_scenario(scenario, options, cluster, screen, environ=None) -> None:
    """Deploy the broken manifest again, clear the scenario's record, back up the workspace file."""
    ns = ownership.namespace_name(options.participant, scenario.id)
    labels = ownership.owner_labels(options.lab, scenario.id, options.participant)
    text = render_manifest_text(scenario, "broken", namespace=ns, image=options.image,
                                participant=options.participant, lab=options.lab)
    objects = check_manifest_text(text, f"{scenario.id}/broken")
    cluster.ensure_namespace(ns, labels)
    workload = scenario.workload
    used = fixcheck.configmaps_used(fixcheck.pod_spec_of(
        fixcheck.workload_of(objects, workload.kind, workload.name)))
    live = {name: cluster.get(ns, "ConfigMap", name) for name in used}
    changed = fixcheck.changed_configmaps(objects, live, used)
    for obj in objects:
        cluster.apply_one(obj, ns, labels)
    if changed:
        cluster.restart(ns, workload.kind, workload.name,
                        fixcheck.restart_patch(records.utc_now()))
    screen.say(f"Deployed the broken {scenario.id} again in {ns}.")
    backup = workspace.backup_and_replace(options.workspace, scenario.id, text)
    if backup:
        screen.say(f"Your edited manifest is kept as {backup}.")
    record = store.load(options.results_path)
    if record is not None and any(item["id"] == scenario.id for item in record["scenarios"]):
        records.reset_entry(record, scenario.id)
        store.save(records.touch(record), options.results_path, environ)
        screen.say(f"Cleared {scenario.id} in {options.results_path}.")


def clean_namespaces(cluster, lab: str, participant: str | None) -> list[str]:
    """Delete the lab's own namespaces (all participants when `participant` is None)."""
    deleted = []
    namespaces = cluster.owned_namespaces()
    for namespace in namespaces:
        labels = (namespace.get("metadata") or {}).get("labels") or {}
        if labels.get(ownership.LAB_KEY) != lab:
            continue
        if participant is not None and labels.get(ownership.PARTICIPANT_KEY) != participant:
            continue
        name = namespace["metadata"]["name"]
        cluster.delete_namespace(name)
        deleted.append(name)
    return sorted(deleted)


def clean_objects(cluster, participant: str, scenario_ids) -> dict[str, list[str]]:
    """Without the right to delete namespaces (a shared workshop cluster): delete the lab's
    workloads and ConfigMaps inside the participant's namespaces instead."""
    removed = {}
    for scenario_id in scenario_ids:
        namespace = ownership.namespace_name(participant, scenario_id)
        objects = [name for kind in ("Deployment", "ConfigMap")
                   for name in cluster.delete_owned(namespace, kind)]
        if objects:
            removed[namespace] = objects
    return removed
