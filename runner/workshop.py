"""Shared-cluster workshops: per-participant namespaces, least-privilege RBAC, kubeconfigs,
and the live re-check of every participant's scenarios.

The object builders and `grade_live` are pure (dicts in, dicts out). `prepare`,
`teardown` and `read_live_snapshot` talk to the cluster through the
`runner.cluster.Cluster` they are given.

What a participant may do, in each of their own namespaces and nowhere else
(a Role + RoleBinding per namespace; nothing cluster-scoped):
  read    pods, pods/log, events, deployments, replicasets, configmaps, services
  write   deployments, configmaps (create/update/patch/delete); delete pods
          (the configmaps write also covers the session's progress record,
          runner.progress: one ConfigMap in the participant's home namespace)
  and, where the scenario deploys them (EXTRA_RULES): services, secrets, serviceaccounts,
  roles and rolebindings
  read    their own Namespace object (get, by name), so the lab can check it exists
"""

from __future__ import annotations

import datetime
from pathlib import Path

from runner import ownership, placement
from runner.errors import ClusterError

WORKSHOP_KEY = "crashlab.dev/workshop"
ROLE_NAME = "crashlab-participant"
RBAC = "rbac.authorization.k8s.io"

READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete"]


# What a scenario that deploys more than a Deployment and a ConfigMap adds to its namespace's
# Role (lab-3-plus: a backend Service, a Secret, a ServiceAccount with its Role and binding).
# Kubernetes' RBAC escalation check refuses a Role or RoleBinding granting more than the
# participant holds, and no rule here has `bind`, `escalate` or `impersonate`.
EXTRA_RULES = {
    "Service": [
        {"apiGroups": [""], "resources": ["services"], "verbs": list(WRITE)},
        {"apiGroups": [""], "resources": ["endpoints"], "verbs": list(READ)},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": list(READ)},
    ],
    "Secret": [{"apiGroups": [""], "resources": ["secrets"], "verbs": READ + WRITE}],
    "ServiceAccount": [{"apiGroups": [""], "resources": ["serviceaccounts"],
                        "verbs": READ + WRITE}],
    # update/patch too: the lab applies by create-or-replace (a reset, a resume, the solution
    # re-apply an existing Role), and a learner may fix the binding with kubectl edit. The
    # escalation check guards an update exactly as it guards a create.
    "Role": [{"apiGroups": [RBAC], "resources": ["roles"], "verbs": READ + WRITE}],
    "RoleBinding": [{"apiGroups": [RBAC], "resources": ["rolebindings"], "verbs": READ + WRITE}],
}


def participant_rules(namespace: str, kinds=frozenset()) -> list[dict]:
    """The Role rules: what the lab and kubectl troubleshooting need, and no more.

    `kinds` are the object kinds the namespace's scenario deploys (`scenario_kinds`); each
    kind in EXTRA_RULES adds exactly what deploying, fixing and reading it needs.
    """
    rules = [
        {"apiGroups": [""], "resources": ["pods", "pods/log", "events", "configmaps", "services"],
         "verbs": list(READ)},
        {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": list(READ)},
        {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"], "verbs": list(READ)},
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": list(WRITE)},
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": list(WRITE)},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]},
        {"apiGroups": [""], "resources": ["namespaces"], "resourceNames": [namespace],
         "verbs": ["get"]},
    ]
    for kind in sorted(set(kinds) & set(EXTRA_RULES)):
        rules.extend({**rule, "verbs": list(rule["verbs"])} for rule in EXTRA_RULES[kind])
    return rules


def scenario_kinds(scenario) -> frozenset[str]:
    """Every object kind the scenario's broken and solution manifests create."""
    from runner.catalog import render_manifests

    return frozenset(obj["kind"] for variant in ("broken", "solution")
                     for obj in render_manifests(scenario, variant, namespace="kinds"))


def workshop_labels(lab: str, key: str, participant: str) -> dict[str, str]:
    return {**placement.owner_labels(lab, key, participant), WORKSHOP_KEY: "true"}


def service_account_name(participant: str) -> str:
    return f"crashlab-{participant}"


def participant_objects(lab, participant: str, kinds: dict | None = None,
                        home: str | None = None) -> list[dict]:
    """Everything `prepare` creates for one participant, in creation order.

    One Namespace per scenario (labelled as the lab's and the workshop's), the
    participant's ServiceAccount in the first one, and in each namespace a Role
    with `participant_rules` bound to that ServiceAccount. `kinds` maps a scenario id to
    the kinds it deploys (`scenario_kinds`); a scenario missing there gets the base rules.
    With `home` (a further lab for the same participant) the ServiceAccount already lives
    there: the Roles are bound to it and none is created.
    """
    namespaces = [placement.namespace_name(participant, lab.slug(s)) for s in lab.scenario_ids]
    sa = service_account_name(participant)
    objects = []
    for scenario, namespace in zip(lab.scenario_ids, namespaces):
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": namespace, "labels": workshop_labels(lab.id, lab.key(scenario), participant)}})
    if home is None:
        home = namespaces[0]
        objects.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {
            "name": sa, "namespace": home,
            "labels": workshop_labels(lab.id, lab.key(lab.scenario_ids[0]), participant)},
            "automountServiceAccountToken": False})
    for scenario, namespace in zip(lab.scenario_ids, namespaces):
        labels = workshop_labels(lab.id, lab.key(scenario), participant)
        objects.append({"apiVersion": f"{RBAC}/v1", "kind": "Role", "metadata": {
            "name": ROLE_NAME, "namespace": namespace, "labels": labels},
            "rules": participant_rules(namespace, (kinds or {}).get(scenario, frozenset()))})
        objects.append({"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding", "metadata": {
            "name": ROLE_NAME, "namespace": namespace, "labels": labels},
            "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": ROLE_NAME},
            "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": home}]})
    return objects


def kubeconfig(context: str, server: str, token: str, namespace: str, participant: str,
               ca_data: str | None = None, insecure: bool = False) -> dict:
    """A kubeconfig for one participant; the context keeps the workshop's context name so
    `crashlab run lab-3 --context <same name> --participant <name>` works unchanged."""
    cluster = {"server": server}
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    elif insecure:
        cluster["insecure-skip-tls-verify"] = True
    user = f"crashlab-{participant}"
    return {"apiVersion": "v1", "kind": "Config", "preferences": {}, "current-context": context,
            "clusters": [{"name": context, "cluster": cluster}],
            "users": [{"name": user, "user": {"token": token}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": user,
                                                       "namespace": namespace}}]}


def check_names(names: list[str]) -> str | None:
    """Why a participant list cannot be used, or None."""
    for name in names:
        problem = ownership.check_participant(name)
        if problem:
            return f"participant name {name!r} {problem}"
    return None


# ----------------------------------------------------------------------------- cluster edge

def prepare(cluster, lab, participants: list[str], out: Path, token_seconds: int = 8 * 3600,
            server: str | None = None, progress=lambda line: None,
            kinds: dict | None = None) -> dict[str, Path]:
    """Create every participant's objects and write their kubeconfigs; returns name -> file.
    `lab` is one Lab or a list of them (one ServiceAccount per participant, in the first)."""
    labs = list(lab) if isinstance(lab, (list, tuple)) else [lab]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ca_data, insecure = cluster.ca_data()
    written = {}
    for participant in participants:
        objects = participant_objects(labs[0], participant, kinds)
        first = objects[0]["metadata"]["name"]
        for more in labs[1:]:  # one ServiceAccount and kubeconfig, the first lab's
            objects += participant_objects(more, participant, kinds, home=first)
        for obj in objects:
            if obj["kind"] == "Namespace":
                cluster.ensure_namespace(obj["metadata"]["name"], obj["metadata"]["labels"])
        for obj in objects:
            if obj["kind"] != "Namespace":
                cluster.apply([obj], obj["metadata"]["namespace"])
        home = objects[0]["metadata"]["name"]
        sa = service_account_name(participant)
        token = cluster.request_token(home, sa, token_seconds)
        if not token:
            raise ClusterError(f"the cluster returned no token for {sa} in {home}: check that "
                               "the TokenRequest API is enabled (Kubernetes >= 1.24)")
        config = kubeconfig(cluster.context, server or cluster.server, token, home, participant,
                            ca_data, insecure)
        path = out / f"{participant}.kubeconfig"
        _write_private(path, _yaml(config))
        written[participant] = path
        count = sum(len(each.scenario_ids) for each in labs)
        progress(f"{participant}: {count} namespaces, Role and RoleBinding, "
                 f"token for {token_seconds // 3600}h -> {path}")
    return written


def teardown(cluster, lab_id: str, progress=lambda line: None) -> int:
    """Delete the namespaces `prepare` created for `lab_id` (and with them every Role,
    RoleBinding and ServiceAccount inside); returns how many."""
    selector = f"{ownership.OWNED_SELECTOR},{WORKSHOP_KEY}=true,{ownership.LAB_KEY}={lab_id}"
    removed = 0
    for namespace in cluster.list("Namespace", label_selector=selector):
        labels = namespace["metadata"].get("labels") or {}
        if labels.get(WORKSHOP_KEY) != "true" or not ownership.is_owned(labels):
            continue  # a server that ignores selectors must not make us delete others' work
        cluster.delete_namespace(namespace["metadata"]["name"])
        progress(f"deleted namespace {namespace['metadata']['name']}")
        removed += 1
    return removed


def _yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


def _write_private(path: Path, text: str) -> None:
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.chmod(path, 0o600)


# ------------------------------------------------------------------------------ live grading

def read_live_snapshot(cluster, lab_id: str) -> dict[str, list[dict]]:
    """Everything live grading needs, in four list calls whatever the class size:
    namespaces, pods, deployments and configmaps carrying the lab's labels."""
    selector = f"{ownership.OWNED_SELECTOR},{ownership.LAB_KEY}={lab_id}"
    kinds = {"namespaces": "Namespace", "pods": "Pod", "deployments": "Deployment",
             "configmaps": "ConfigMap"}
    snapshot = {}
    for name, kind in kinds.items():
        snapshot[name] = [obj for obj in cluster.list(kind, label_selector=selector)
                          if ((obj.get("metadata") or {}).get("labels") or {}).get(
                              ownership.LAB_KEY) == lab_id]
    return snapshot


def judge_live(scenario, namespace: str, snapshot: dict, now: datetime.datetime) -> tuple[str, str]:
    """('fixed' | 'not-fixed' | 'absent', detail) for one participant's scenario, from one look.

    A single snapshot cannot watch for restarts, so stability is read from the
    container itself: running and Ready since at least the stability window.
    """
    from runner.expect import check_guards, match
    from runner.podfacts import is_pod_of, newest_pod, running_since
    from runner.steps.window import window_for

    workload = scenario.workload
    pod = newest_pod([p for p in snapshot.get("pods", [])
                      if p["metadata"].get("namespace") == namespace
                      and is_pod_of(p["metadata"]["name"], f"{workload.name}-")])
    if pod is None:
        return "absent", f"no pod of {workload.kind}/{workload.name} in {namespace}"
    mismatches = match(scenario.fixed.pod, pod)
    if mismatches:
        return "not-fixed", str(mismatches[0])
    objects = {"Pod": pod}
    for kind, items in (("Deployment", snapshot.get("deployments", [])),
                        ("ConfigMap", snapshot.get("configmaps", []))):
        for obj in items:
            if obj["metadata"].get("namespace") == namespace:
                objects[f"{kind}/{obj['metadata']['name']}"] = obj
    for guard in check_guards(scenario.guards, objects):
        if not guard.ok:
            return "not-fixed", f"guard {guard.id}: {guard.mismatches[0]}"
    started = running_since(pod, workload.container)
    window = window_for(pod, workload.container, scenario.fixed.min_stable_seconds, None)
    if started is None:
        return "not-fixed", f"container {workload.container} is not running"
    age = (now - started).total_seconds()
    if age < window:
        return "not-fixed", f"running for {age:.0f}s, needs {window}s without a restart"
    return "fixed", f"running and ready for {age:.0f}s"


def grade_live(report, snapshot: dict, catalog, lab, roster=(), generated_at: str = "",
               now: datetime.datetime | None = None):
    """The report with every participant's scenarios re-checked on the cluster (pure)."""
    from runner.grade import Flag, Row, build_report

    now = now or datetime.datetime.now(datetime.timezone.utc)
    participants = {((ns["metadata"].get("labels") or {}).get(ownership.PARTICIPANT_KEY))
                    for ns in snapshot.get("namespaces", [])}
    participants |= {((p["metadata"].get("labels") or {}).get(ownership.PARTICIPANT_KEY))
                     for p in snapshot.get("pods", [])}
    participants |= {row.participant for row in report.rows}
    participants.discard(None)
    rows = {(row.participant, row.scenario): row for row in report.rows}
    flags = [flag for flag in report.flags]
    for participant in sorted(participants):
        for scenario_id in lab.scenario_ids:
            scenario = catalog.scenarios[scenario_id]
            namespace = placement.namespace_name(participant, scenario.slug)
            state, detail = judge_live(scenario, namespace, snapshot, now)
            row = rows.get((participant, scenario_id))
            if row is None:
                row = Row(participant, lab.id, scenario_id, trust="live",
                          status={"fixed": "verified", "not-fixed": "fixing"}.get(state, "pending"),
                          verified=state == "fixed")
                rows[(participant, scenario_id)] = row
            row.live, row.live_detail = state, detail
            if row.verified and row.trust != "live" and state != "fixed":
                flags.append(Flag("live-failed", participant, row.source,
                                  f"{scenario_id}: the file says verified, the cluster says "
                                  f"{state}: {detail}"))
    return build_report(list(rows.values()), flags, report.labs or (lab.id,), lab.scenario_ids,
                        roster, generated_at, live=True)
