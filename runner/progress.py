"""A participant's progress on the workshop's cluster: one ConfigMap holding the signed v1 record.

The laptop's results file stays the learner's copy; this ConfigMap is what the instructor's
class view (`crashlab workshop watch`) and `crashlab grade --live` read. One ConfigMap per
participant and lab, `crashlab-progress-<lab>`, in the participant's home namespace (the one
their workshop kubeconfig points at), labelled as the lab's and with `crashlab.dev/progress`.

The record on the cluster is the results record as the learner's own file holds it
(`records.for_learner`: the `cause` of a scenario is left out until `records.cause_known`; a
learner may read ConfigMaps in their own namespaces), signed again over that content, with the
same key.

    publisher = publisher_for(cluster, lab, "ada", environ=environ, say=screen.say)
    if publisher:                   # None outside a namespace `workshop prepare` made
        publisher.publish(record)   # "written" | "refused" | "absent" | "unreachable" | "off"

Talks to the cluster only through `Cluster.apply`; never imports `kubernetes`.
"""

from __future__ import annotations

import json
import time

from runner import ownership, placement, results
from runner.results import records

PROGRESS_KEY = "crashlab.dev/progress"
DATA_KEY = "record.json"
SELECTOR = f"{ownership.OWNED_SELECTOR},{PROGRESS_KEY}=true"
RETRY_AFTER = 60.0         # seconds before trying again after the cluster could not be reached

WRITTEN, REFUSED, ABSENT, UNREACHABLE, OFF = "written", "refused", "absent", "unreachable", "off"


def configmap_name(lab: str) -> str:
    return f"crashlab-progress-{lab}"


def for_cluster(record: dict, key: str | bytes | None = None) -> dict:
    """The record as the cluster keeps it: what the learner may read (`records.for_learner`:
    no cause before its quiz), re-signed with `key` (unsigned without one)."""
    body = records.for_learner(record)   # the same rule as the learner's own file
    return results.sign_results(body, key) if key else body


def progress_configmap(record: dict, namespace: str, labels: dict[str, str] | None = None,
                       key: str | bytes | None = None) -> dict:
    """The ConfigMap holding `record` (see `for_cluster`) in `namespace`."""
    first = (record.get("scenarios") or [{}])[0]
    slug = placement.slug_of_namespace(first.get("namespace"), record["participant"])
    # the opaque key of the first scenario's slug, never its id (the id names the cause)
    labels = labels or placement.owner_labels(
        record["lab"], placement.scenario_key(slug or first.get("id") or "none"),
        record["participant"])
    text = json.dumps(for_cluster(record, key), indent=1, ensure_ascii=False, sort_keys=True)
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": configmap_name(record["lab"]), "namespace": namespace,
                         "labels": {**labels, PROGRESS_KEY: "true"}},
            "data": {DATA_KEY: text}}


def publishes_to(namespace: dict | None) -> bool:
    """True for a namespace `crashlab workshop prepare` made (the class view reads it)."""
    from runner.workshop import WORKSHOP_KEY

    labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    return ownership.is_owned(labels) and labels.get(WORKSHOP_KEY) == "true"


def publisher_for(cluster, lab, participant: str, *, environ=None, say=lambda line: None):
    """The session's publisher, or None when the participant's home namespace was not made by
    `crashlab workshop prepare` (a laptop run: nothing to share). One GET of that namespace,
    which the participant's Role allows; the key is $CRASHLAB_GRADING_KEY, as for the file."""
    from runner import placement
    from runner.errors import ClusterError

    home = placement.namespace_name(participant, lab.slug(lab.scenario_ids[0]))
    try:
        namespace = cluster.get_namespace(home)
    except ClusterError:
        return None
    if not publishes_to(namespace):
        return None
    return ProgressPublisher(cluster, home, key=results.key_from_env(environ), say=say)


class ProgressPublisher:
    """Writes the record into the participant's progress ConfigMap after every step.

    `publish` never raises for a cluster problem: it returns a status and says what happened
    once (through `say`), then stays quiet. A refusal (403) or a missing namespace (404) turns
    publishing off for the session; an unreachable cluster is tried again after RETRY_AFTER s.
    """

    def __init__(self, cluster, namespace: str, *, labels: dict[str, str] | None = None,
                 key: str | bytes | None = None, say=lambda line: None, clock=time.monotonic):
        self.cluster, self.namespace, self.labels, self.key = cluster, namespace, labels, key
        self.say, self.clock = say, clock
        self.status: str | None = None
        self._told = False
        self._retry_at: float | None = None

    def publish(self, record: dict) -> str:
        if self.status in (REFUSED, ABSENT, OFF):
            self.status = OFF
            return OFF
        if self._retry_at is not None and self.clock() < self._retry_at:
            return UNREACHABLE
        from runner.cluster import ApiStatusError
        from runner.errors import ClusterError

        body = progress_configmap(record, self.namespace, self.labels, self.key)
        try:
            self._write(body)
        except ApiStatusError as problem:
            self.status = REFUSED if problem.status in (401, 403) else ABSENT
            self._tell(problem)
            return self.status
        except ClusterError as problem:
            self.status, self._retry_at = UNREACHABLE, self.clock() + RETRY_AFTER
            self._tell(problem)
            return self.status
        self.status, self._retry_at = WRITTEN, None
        return WRITTEN

    def _write(self, body: dict) -> None:
        """Create the ConfigMap, or replace it when it exists (Cluster.apply: the lab's own
        labels are checked before anything is sent)."""
        self.cluster.apply([body], self.namespace)

    def _tell(self, problem) -> None:
        if self._told:
            return
        self._told = True
        self.say(f"Your progress is saved on this computer, but could not be shared with the "
                 f"instructor's class view ({problem}); the lab carries on.")


# ------------------------------------------------------------------------------ reading

def records_on_cluster(configmaps, namespaces=(), key=None) -> list:
    """Every progress ConfigMap's record, read and verified as `grade` reads a results file.

    Returns runner.grade `Checked` items (source `configmap/<namespace>/<name>`). With
    `namespaces` (their objects), a record naming another participant than the namespace it
    sits in is `invalid`: a participant can only write into their own namespaces.
    """
    from runner.grade import Checked, check_text

    owners = {(ns.get("metadata") or {}).get("name"):
              ((ns.get("metadata") or {}).get("labels") or {}).get(ownership.PARTICIPANT_KEY)
              for ns in namespaces}
    found = []
    for configmap in configmaps:
        meta = configmap.get("metadata") or {}
        labels = meta.get("labels") or {}
        if labels.get(PROGRESS_KEY) != "true" or not ownership.is_owned(labels):
            continue
        source = f"configmap/{meta.get('namespace')}/{meta.get('name')}"
        text = (configmap.get("data") or {}).get(DATA_KEY)
        if not isinstance(text, str):
            found.append(Checked(source, None, results.INVALID, f"no {DATA_KEY} in its data"))
            continue
        item = check_text(text, source, key)
        owner = owners.get(meta.get("namespace"))
        if owner and item.record and item.record.get("participant") != owner:
            item = Checked(source, None, results.INVALID,
                           f"names participant {item.record.get('participant')!r} but sits in "
                           f"{owner}'s namespace")
        found.append(item)
    return found
