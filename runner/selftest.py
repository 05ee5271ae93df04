"""Prove a lab's scenarios on a cluster: broken shows its symptom, the solution heals it.

For each scenario, in its own thread and its own namespace
(`crashlab-<participant>-<scenario>`, labelled as the lab's):

    deploy broken -> wait for the symptom -> diagnose names the cause
    -> apply the reference solution -> fixed for the stability window -> clean up

Each step fetches and retries until its deadline; on timeout it reports the last
mismatches it saw (chainsaw-style), so a red selftest says which step failed and
why. Talks to the cluster only through the `runner.cluster.Cluster` it is given
(never imports `kubernetes`); tests/e2e reuses `run_selftest` on a real cluster.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass, field

from runner import ownership
from runner.catalog import DEFAULT_IMAGE, render_manifests
from runner.errors import CrashlabError
from runner.expect import Observation, judge_fix

STEPS = ("deploy broken", "wait for symptom", "diagnose", "apply solution", "wait for fix",
         "clean up")
RESTARTED_AT = "crashlab.dev/restartedAt"
RECHECK_SECONDS = 1.0        # re-read events/logs and re-judge at least this often
FIX_GRACE_SECONDS = 120.0    # time for the rollout, on top of the stability window
NAMESPACE_GONE_SECONDS = 120.0


@dataclass
class Options:
    lab: str = "lab-3"
    participant: str = "selftest"
    image: str = DEFAULT_IMAGE
    stability_window: float | None = None   # None: each scenario's own window
    keep: bool = False
    fix_grace: float = FIX_GRACE_SECONDS
    recheck: float = RECHECK_SECONDS


@dataclass
class Outcome:
    """What happened to one scenario."""

    scenario: str
    namespace: str
    ok: bool = False
    failed_step: str | None = None
    reason: str = ""
    evidence: list[str] = field(default_factory=list)   # the last mismatches seen
    subject: str = ""                                    # the object the evidence is about
    time_to_symptom: float | None = None
    time_to_healthy: float | None = None
    diagnosed: str | None = None
    window: float | None = None
    steps_done: list[str] = field(default_factory=list)

    def failure_text(self) -> str:
        """Header naming the scenario and step, then sorted `field: got X, want Y` lines."""
        if self.ok:
            return f"{self.scenario}: ok"
        lines = [f"selftest {self.scenario}: step '{self.failed_step}' failed: {self.reason}"]
        if self.subject:
            lines.append(f"  {self.subject}:")
        lines += [f"    {line}" for line in sorted(self.evidence)]
        return "\n".join(lines)


class StepFailed(Exception):
    def __init__(self, step: str, reason: str, evidence=(), subject: str = ""):
        super().__init__(reason)
        self.step, self.reason, self.evidence, self.subject = step, reason, list(evidence), subject


def run_selftest(connect, scenarios, options: Options, progress=None) -> list[Outcome]:
    """Run every scenario in parallel; `connect()` returns a fresh Cluster per scenario."""
    say = progress or (lambda line: None)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(scenarios)),
                                               thread_name_prefix="selftest") as pool:
        futures = [pool.submit(run_scenario, connect, scenario, options, say)
                   for scenario in scenarios]
        return [future.result() for future in futures]


def run_scenario(connect, scenario, options: Options, say=lambda line: None) -> Outcome:
    """One scenario from deploy to clean-up; never raises (a failure is in the Outcome)."""
    namespace = ownership.namespace_name(options.participant, scenario.id)
    outcome = Outcome(scenario.id, namespace)
    cluster = None
    try:
        cluster = connect()
        _Run(cluster, scenario, options, outcome, say).play()
        outcome.ok = True
    except StepFailed as failed:
        outcome.failed_step, outcome.reason = failed.step, failed.reason
        outcome.evidence, outcome.subject = failed.evidence, failed.subject
    except CrashlabError as error:
        outcome.failed_step = _next_step(outcome)
        outcome.reason = str(error)
    finally:
        if cluster is not None:
            _clean_up(cluster, namespace, options, outcome, say)
            cluster.close()
    say(f"{scenario.id}: {'ok' if outcome.ok else 'FAILED at ' + str(outcome.failed_step)}")
    return outcome


def _next_step(outcome: Outcome) -> str:
    return next((step for step in STEPS if step not in outcome.steps_done), STEPS[-1])


def _clean_up(cluster, namespace: str, options: Options, outcome: Outcome, say) -> None:
    if options.keep:
        say(f"{outcome.scenario}: keeping namespace {namespace}")
        return
    try:
        cluster.delete_namespace(namespace)
        outcome.steps_done.append("clean up")
    except CrashlabError as error:
        if outcome.ok:
            outcome.ok, outcome.failed_step, outcome.reason = False, "clean up", str(error)


class _Run:
    """The steps of one scenario against one cluster connection."""

    def __init__(self, cluster, scenario, options: Options, outcome: Outcome, say):
        self.cluster, self.scenario, self.options = cluster, scenario, options
        self.outcome, self.say = outcome, say
        self.namespace = outcome.namespace
        self.labels = ownership.owner_labels(options.lab, scenario.id, options.participant)
        self.container = scenario.workload.container

    def render(self, variant: str) -> list[dict]:
        return render_manifests(self.scenario, variant, namespace=self.namespace,
                                image=self.options.image, participant=self.options.participant,
                                lab=self.options.lab)

    def done(self, step: str) -> None:
        self.outcome.steps_done.append(step)

    def play(self) -> None:
        broken, solution = self.render("broken"), self.render("solution")
        self.fresh_namespace()
        self.cluster.apply(broken, self.namespace, labels=self.labels)
        started = time.monotonic()
        self.done("deploy broken")
        pod, events, logs, previous = self.wait_for_symptom()
        self.outcome.time_to_symptom = time.monotonic() - started
        self.done("wait for symptom")
        self.say(f"{self.scenario.id}: symptom after {self.outcome.time_to_symptom:.1f}s")
        self.check_diagnosis(pod, events, logs, previous)
        self.done("diagnose")
        before = self.generation()
        broken_uids = {p["metadata"]["uid"] for p in self.workload_pods()}
        self.apply_solution(broken, solution)
        if self.generation() == before:
            broken_uids = set()  # the solution did not change the pod template: judge the same pods
        applied = time.monotonic()
        self.done("apply solution")
        self.wait_for_fix(broken_uids)
        self.outcome.time_to_healthy = time.monotonic() - applied
        self.done("wait for fix")
        self.say(f"{self.scenario.id}: healthy {self.outcome.time_to_healthy:.1f}s after the fix")

    # ------------------------------------------------------------------------ steps

    def fresh_namespace(self) -> None:
        """Create the namespace; a leftover one from an earlier selftest is deleted first."""
        existing = self.cluster.get_namespace(self.namespace)
        if existing is not None:
            self.cluster.delete_namespace(self.namespace)  # NotOwnedError if not the lab's
            deadline = time.monotonic() + NAMESPACE_GONE_SECONDS
            while self.cluster.get_namespace(self.namespace) is not None:
                if time.monotonic() > deadline:
                    raise StepFailed("deploy broken", f"namespace {self.namespace} from an earlier "
                                     "run is still being deleted; try again in a minute")
                time.sleep(1.0)
        self.cluster.ensure_namespace(self.namespace, self.labels)

    def generation(self):
        workload = self.scenario.workload
        found = self.cluster.get_deployment(self.namespace, workload.name) or {}
        return (found.get("metadata") or {}).get("generation")

    def workload_pods(self) -> list[dict]:
        prefix = f"{self.scenario.workload.name}-"
        return [p for p in self.cluster.list_pods(self.namespace)
                if p["metadata"]["name"].startswith(prefix)]

    def wait_for_symptom(self):
        from runner.expect import check_symptom

        symptom = self.scenario.symptom
        deadline = time.monotonic() + symptom.within_seconds
        latest, last, subject = {}, ["no pod of the workload was created"], "Pod"
        with self.cluster.watch_pods_many([self.namespace], timeout=symptom.within_seconds) as watch:
            while True:
                item = watch.next_event(timeout=max(0.05, min(self.options.recheck,
                                                              deadline - time.monotonic())))
                if item is not None:
                    _, kind, pod = item
                    self._remember(latest, kind, pod)
                pod = _newest(latest.values())
                if pod is not None:
                    name = pod["metadata"]["name"]
                    subject = f"Pod {self.namespace}/{name}"
                    events = self.cluster.list_pod_events(self.namespace, name)
                    logs = self._logs(name, False)
                    previous = self._logs(name, True)
                    found = check_symptom(symptom, pod, events, (logs or "") + (previous or ""))
                    if not found:
                        return pod, events, logs, previous
                    last = [str(m) for m in found]
                if time.monotonic() >= deadline:
                    raise StepFailed("wait for symptom", f"the broken manifest did not show its "
                                     f"symptom within {symptom.within_seconds}s "
                                     f"({symptom.summary.splitlines()[0][:80]})", last, subject)

    def _remember(self, latest: dict, kind: str, pod: dict) -> None:
        if not pod["metadata"]["name"].startswith(f"{self.scenario.workload.name}-"):
            return
        if kind == "DELETED":
            latest.pop(pod["metadata"]["uid"], None)
        else:
            latest[pod["metadata"]["uid"]] = pod

    def _logs(self, pod: str, previous: bool) -> str | None:
        try:
            return self.cluster.read_logs(self.namespace, pod, self.container, previous=previous)
        except CrashlabError:
            return None

    def check_diagnosis(self, pod, events, logs, previous) -> None:
        from runner.diagnose import diagnose

        found = diagnose(pod, events, logs=logs, previous_logs=previous, container=self.container)
        self.outcome.diagnosed = found.cause
        if found.cause != self.scenario.cause:
            evidence = [f"cause: got {found.cause} ({found.confidence}), want {self.scenario.cause}"]
            evidence += [f"evidence: {line}" for line in found.evidence[:5]]
            raise StepFailed("diagnose", "crashlab diagnose does not name the scenario's cause",
                             evidence, f"Pod {self.namespace}/{pod['metadata']['name']}")

    def apply_solution(self, broken: list[dict], solution: list[dict]) -> None:
        self.cluster.apply(solution, self.namespace, labels=self.labels)
        if changed_configmaps(broken, solution) and not _template_changed(broken, solution,
                                                                           self.scenario.workload):
            # A ConfigMap change alone does not restart pods: roll the workload, as
            # `kubectl rollout restart` would.
            workload = self.scenario.workload
            self.cluster.request(
                "PATCH", f"/apis/apps/v1/namespaces/{self.namespace}/deployments/{workload.name}",
                body={"spec": {"template": {"metadata": {"annotations": {
                    RESTARTED_AT: str(time.time())}}}}},
                content_type="application/merge-patch+json",
                doing=f"restarting {workload.kind}/{workload.name}")

    def guard_objects(self) -> dict[str, dict]:
        objects = {}
        for guard in self.scenario.guards:
            if guard.object == "Pod" or guard.object in objects:
                continue
            kind, name = guard.object.split("/", 1)
            plural = {"Deployment": "apis/apps/v1/namespaces/{ns}/deployments",
                      "ConfigMap": "api/v1/namespaces/{ns}/configmaps"}.get(kind)
            if plural is None:
                continue
            path = "/" + plural.format(ns=self.namespace) + f"/{name}"
            objects[guard.object] = self.cluster.request("GET", path, doing=f"reading {guard.object}")
        return objects

    def wait_for_fix(self, broken_uids: set) -> None:
        objects = self.guard_objects()
        history: dict[str, list[Observation]] = {}
        latest: dict[str, dict] = {}
        timeout = self._fix_timeout()
        deadline = time.monotonic() + timeout
        verdict, subject = None, "Pod"
        with self.cluster.watch_pods_many([self.namespace], timeout=timeout) as watch:
            while True:
                wait = self.options.recheck
                if verdict is not None and verdict.state == "settling":
                    wait = min(wait, max(0.05, verdict.remaining_seconds))
                item = watch.next_event(timeout=max(0.05, min(wait, deadline - time.monotonic())))
                now = time.monotonic()
                if item is not None:
                    _, kind, pod = item
                    if pod["metadata"]["uid"] not in broken_uids:
                        self._remember(latest, kind, pod)
                        if kind != "DELETED":
                            history.setdefault(pod["metadata"]["uid"], []).append(
                                Observation(now, pod))
                pod = _newest(latest.values())
                if pod is not None:
                    subject = f"Pod {self.namespace}/{pod['metadata']['name']}"
                    verdict = judge_fix(self.scenario.fixed, self.scenario.guards, self.container,
                                        history[pod["metadata"]["uid"]], now, objects,
                                        self._window())
                    self.outcome.window = verdict.window_seconds
                    if verdict.fixed:
                        return
                if now >= deadline:
                    raise StepFailed("wait for fix", self._fix_reason(verdict, timeout),
                                     _verdict_lines(verdict), subject)

    def _window(self):
        return None if self.options.stability_window is None else self.options.stability_window

    def _fix_timeout(self) -> float:
        floor = self.scenario.fixed.min_stable_seconds
        window = self.options.stability_window if self.options.stability_window is not None \
            else max(floor, 60)
        return float(window) + self.options.fix_grace

    @staticmethod
    def _fix_reason(verdict, timeout: float) -> str:
        if verdict is None:
            return f"no new pod appeared within {timeout:.0f}s of applying the solution"
        if verdict.state == "settling":
            return f"the pod looked fixed but had not stayed so for {verdict.window_seconds}s"
        return f"the reference solution did not reach the fixed state within {timeout:.0f}s"


def _verdict_lines(verdict) -> list[str]:
    if verdict is None:
        return ["pod: got <missing>, want a pod created by the solution"]
    lines = [str(m) for m in verdict.mismatches]
    for guard in verdict.guards:
        lines += [f"guard {guard.id}: {m}" for m in guard.mismatches]
    if not lines and verdict.restarts:
        lines.append(f"restartCount: got {verdict.restarts}, want no restart during the window")
    return lines


def _newest(pods) -> dict | None:
    pods = [p for p in pods if not (p.get("metadata") or {}).get("deletionTimestamp")]
    if not pods:
        return None
    return max(pods, key=lambda p: (p["metadata"].get("creationTimestamp") or "",
                                    int(p["metadata"].get("resourceVersion") or 0)))


def changed_configmaps(broken: list[dict], solution: list[dict]) -> list[str]:
    before = {o["metadata"]["name"]: o.get("data") for o in broken if o.get("kind") == "ConfigMap"}
    return sorted(o["metadata"]["name"] for o in solution if o.get("kind") == "ConfigMap"
                  and o["metadata"]["name"] in before and before[o["metadata"]["name"]] != o.get("data"))


def _template_changed(broken: list[dict], solution: list[dict], workload) -> bool:
    def template(objects):
        return next(((o.get("spec") or {}).get("template") for o in objects
                     if o.get("kind") == workload.kind and o["metadata"].get("name") == workload.name),
                    None)

    return template(broken) != template(solution)


# ---------------------------------------------------------------------------- output

def render(outcomes: list[Outcome], console) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="crashlab selftest", title_justify="left")
    for name in ("scenario", "symptom after", "diagnosis", "healthy after", "window", "result"):
        table.add_column(name, justify="right" if "after" in name or name == "window" else "left")
    for o in outcomes:
        result = "[green]ok[/]" if o.ok else f"[red]failed: {escape(o.failed_step or '?')}[/]"
        table.add_row(o.scenario, _seconds(o.time_to_symptom), o.diagnosed or "-",
                      _seconds(o.time_to_healthy), _seconds(o.window), result)
    console.print(table)


def _seconds(value) -> str:
    return "-" if value is None else f"{value:.1f}s"
