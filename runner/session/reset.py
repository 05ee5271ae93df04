"""`crashlab reset` and `crashlab clean`: undo the lab, touching only what it owns."""

from __future__ import annotations

from runner import ownership, placement, steps
from runner.catalog import render_manifest_text
from runner.manifest_check import check_manifest_text
from runner.results import load_progress, records, save_results
from runner.session import workspace


def reset_scenario(scenario, options, cluster, screen, environ=None, *, name: str) -> None:
    """Deploy the broken manifest again, start the scenario's record again (the earlier try
    stays in its `resets`), back up the workspace file, and say the command that plays it.
    `name` is how the lab shows the scenario before its quiz (its heading): the scenario is
    unsolved again, so its id (which names the cause) is never printed."""
    where = placement.placement_for(options.lab, options.participant, scenario, options.image,
                                    options.workspace)
    text = render_manifest_text(scenario, "broken", **where.render_args())
    objects = check_manifest_text(text, f"{where.slug}/broken")
    cluster.ensure_namespace(where.namespace, where.labels)
    steps.apply_fix(cluster, None, where, objects)
    screen.say(f"Deployed the broken {name} again in {where.namespace}.")
    backup = workspace.backup_and_replace(options.workspace, where.slug, text)
    if backup:
        screen.say(f"Your edited manifest is kept as {backup}.")
    record = load_progress(options.results_path)
    item = None if record is None else records.find(record["scenarios"], scenario.id,
                                                    where.namespace)
    if item is not None:
        item["id"] = scenario.id   # the file names it by its slug before its quiz
        records.reset_entry(record, scenario.id)
        save_results(records.for_learner(records.touch(record)), options.results_path,
                     environ=environ)
        screen.say(f"Started {name} again in {options.results_path} (your earlier tries "
                   "are kept there and shown in grading).")
    screen.say(f"Play it again with: {options.resume_command()}")


def clean_namespaces(cluster, lab: str, participant: str | None) -> list[str]:
    """Delete the lab's own namespaces (all participants when `participant` is None)."""
    deleted = []
    for namespace in cluster.list_owned_namespaces():
        labels = (namespace.get("metadata") or {}).get("labels") or {}
        if labels.get(ownership.LAB_KEY) != lab:
            continue
        if participant is not None and labels.get(ownership.PARTICIPANT_KEY) != participant:
            continue
        name = namespace["metadata"]["name"]
        cluster.delete_namespace(name)
        deleted.append(name)
    return sorted(deleted)


def other_labs(cluster, lab: str, participant: str | None) -> list[str]:
    """The other labs (a mystery round among them) whose namespaces `participant` (everyone
    when None) still has: `clean` names the command that removes them too."""
    found = set()
    for namespace in cluster.list_owned_namespaces():
        labels = (namespace.get("metadata") or {}).get("labels") or {}
        if participant is None or labels.get(ownership.PARTICIPANT_KEY) == participant:
            found.add(labels.get(ownership.LAB_KEY))
    return sorted(name for name in found - {lab, None})


def clean_objects(cluster, participant: str, slugs, *,
                  skip_forbidden: bool = False) -> dict[str, list[str]]:
    """Without the right to delete namespaces (a shared workshop cluster): delete the lab's
    workloads and ConfigMaps inside the participant's namespaces instead. `skip_forbidden`
    (a mystery round, whose size the cluster does not say): a namespace the participant has
    no rights in is one `workshop prepare` did not make for them, so there is nothing there."""
    from runner.cluster import Forbidden

    removed = {}
    for slug in slugs:
        namespace = placement.namespace_name(participant, slug)
        try:
            objects = [name for kind in ("Deployment", "ConfigMap")
                       for name in cluster.delete_owned(namespace, kind)]
        except Forbidden:
            if not skip_forbidden:
                raise
            continue
        if objects:
            removed[namespace] = objects
    return removed
