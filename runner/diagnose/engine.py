"""diagnose(): pod + events + logs -> the cause, with the evidence lines that show it."""

from runner.diagnose.events import Event, normalize_events
from runner.diagnose.model import Candidate, Diagnosis, Finding
from runner.diagnose.nextsteps import suggest_commands
from runner.diagnose.podview import (ContainerView, as_dict, list_containers, pick_container,
                                     pod_name, pod_namespace)
from runner.diagnose.rules import Facts, run_all_rules

_NO_CONTAINER_RAN = ("image_pull", "missing_config", "create_container_error", "evicted")


def diagnose(pod: dict | None, events=(), logs: str | None = None,
             previous_logs: str | None = None, container: str | None = None) -> Diagnosis:
    """Run the flowchart over whatever was given; never raises on odd shapes.

    Args:
        pod: a Pod as a camelCase dict (whole object, or a fragment with `status`).
        events: Event dicts (core/v1 or events.k8s.io/v1); other pods' events are ignored.
        logs: `kubectl logs` text of the judged container.
        previous_logs: `kubectl logs --previous` text (the crashed instance).
        container: judge this container instead of the one most in trouble.
    """
    pod = pod if isinstance(pod, dict) else None
    name, namespace = pod_name(pod), pod_namespace(pod)
    all_events = [e for e in normalize_events(events) if not name or e.pod in (None, name)]
    if namespace is None:
        namespace = next((e.namespace for e in all_events if e.namespace), None)
    if name is None:
        name = next((e.pod for e in all_events if e.pod), None)
    views = list_containers(pod)
    view = _choose(views, all_events, container)
    relevant = _events_for(view, views, all_events)
    facts = Facts(container=view, events=relevant, logs=logs, previous_logs=previous_logs,
                  pod_status=as_dict(as_dict(pod).get("status")), has_pod=bool(views),
                  has_events=bool(all_events))
    findings = run_all_rules(facts)
    finding = findings[0]
    pod_ref = (name or "<pod>") + (f" -n {namespace}" if namespace else "")
    separate = None
    if finding.separate:
        separate = (finding.separate[0], finding.separate[1].replace("<pod>", pod_ref))
    return Diagnosis(
        cause=finding.cause,
        confidence=finding.confidence,
        container=view.name if view else _container_from_events(relevant),
        evidence=finding.evidence,
        next=suggest_commands(finding.cause, name, namespace, view,
                              [e.message for e in relevant]),
        missing=_missing(finding, bool(views), bool(all_events), logs, previous_logs, pod_ref),
        pod=name,
        namespace=namespace,
        candidates=rank_candidates(findings),
        separate=separate,
    )


def rank_candidates(findings: list[Finding]) -> tuple[Candidate, ...]:
    """The diagnosis first, then what the same facts leave open, then later rules' causes.

    Evidence against a candidate is what the others found: the flowchart's order says
    which branch is taken, the lines say why the others were not.
    """
    first = findings[0]
    ranked: dict[str, Candidate] = {first.cause: Candidate(first.cause, first.confidence, first.evidence,
                                                           first.against)}
    for alternative in first.alternatives:
        ranked.setdefault(alternative.cause, alternative)
    for finding in findings[1:]:
        ranked.setdefault(finding.cause, Candidate(finding.cause, _weaker(finding.confidence),
                                                   finding.evidence))
        for alternative in finding.alternatives:
            ranked.setdefault(alternative.cause, alternative)
    winner_line = first.evidence[:1]
    out = []
    for index, candidate in enumerate(ranked.values()):
        if index == 0:
            against = list(candidate.evidence_against) + [
                line for other in list(ranked.values())[1:] for line in other.evidence_for[:1]
                if line not in candidate.evidence_for]
        else:
            against = [line for line in candidate.evidence_against] + [
                f"the flowchart stops at {first.cause} first: {line}" for line in winner_line
                if line not in candidate.evidence_for]
        out.append(Candidate(candidate.cause, candidate.confidence, candidate.evidence_for,
                             tuple(dict.fromkeys(against))))
    return tuple(out)


def _weaker(confidence: str) -> str:
    return "medium" if confidence == "high" else "low"


def _choose(views: list[ContainerView], events: list[Event], wanted: str | None):
    if wanted:
        for view in views:
            if view.name == wanted:
                return view
    weights: dict = {}
    for event in events:
        if event.type == "Warning" and event.container:
            weights[event.container] = 30
    return pick_container(views, weights)


def _events_for(view: ContainerView | None, views: list[ContainerView], events: list[Event]):
    if view is None or len(views) < 2:
        return events
    return [e for e in events if e.container in (None, view.name)]


def _container_from_events(events: list[Event]) -> str | None:
    return next((e.container for e in events if e.type == "Warning" and e.container), None)


def _missing(finding: Finding, has_pod: bool, has_events: bool, logs, previous_logs,
             pod_ref: str) -> tuple:
    missing = []
    if not has_pod:
        missing.append(f"no pod status given (kubectl get pod {pod_ref} -o yaml, or kubectl describe pod)")
    if not has_events:
        missing.append("no events given (the Events section of kubectl describe pod)")
    if not logs and not previous_logs and finding.cause not in _NO_CONTAINER_RAN:
        missing.append(f"no logs given (kubectl logs {pod_ref} --previous)")
    missing.extend(finding.caveats)
    return tuple(missing)
