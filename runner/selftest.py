"""Prove a lab's scenarios on a cluster: broken shows its symptom, the solution heals it.

For each scenario, in its own thread and its own namespace
(its runner.placement, labelled as the lab's):

    deploy broken -> wait for the symptom -> diagnose names the cause
    -> apply the reference solution -> fixed for the stability window -> clean up

The steps are runner.steps, the same the learner's session runs; on timeout
each reports the last mismatches it saw (chainsaw-style), so a red selftest says
which step failed and why. Talks to the cluster only through the `runner.cluster.Cluster` it is given
(never imports `kubernetes`); tests/e2e reuses `run_selftest` on a real cluster.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass, field

from runner import steps
from runner.catalog import DEFAULT_IMAGE, render_manifests
from runner.cluster import PodTracker
from runner.errors import CrashlabError
from runner.placement import namespace_name, placement_for
from runner.steps import fresh, restart, window

STEPS = ("deploy broken", "wait for symptom", "diagnose", "apply solution", "wait for fix",
         "clean up")
RECHECK_SECONDS = steps.ops.RECHECK_SECONDS
FIX_GRACE_SECONDS = 120.0    # time for the rollout, on top of the stability window


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
    namespace = namespace_name(options.participant, scenario.slug)
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
        self.where = placement_for(options.lab, options.participant, scenario, options.image)

    def render(self, variant: str) -> list[dict]:
        return render_manifests(self.scenario, variant, **self.where.render_args())

    def done(self, step: str) -> None:
        self.outcome.steps_done.append(step)

    def play(self) -> None:
        broken, solution = self.render("broken"), self.render("solution")
        steps.run(steps.deploy(self.cluster, self.where, broken, fresh=True))
        tracker = PodTracker(self.cluster.watch_pods_many([self.where.namespace]))
        try:
            self.done("deploy broken")
            seen = self.wait_for_symptom(tracker)
            self.outcome.time_to_symptom = seen.seconds
            self.done("wait for symptom")
            self.say(f"{self.scenario.id}: symptom after {seen.seconds:.1f}s")
            self.check_diagnosis(seen)
            self.done("diagnose")
            applied = steps.apply_fix(self.cluster, tracker, self.where, solution)
            self.done("apply solution")
            judged = self.wait_for_fix(tracker, applied.replaced, solution)
            self.outcome.time_to_healthy = judged.seconds
            self.done("wait for fix")
            self.say(f"{self.scenario.id}: healthy {judged.seconds:.1f}s after the fix")
        finally:
            tracker.close()

    def stalls(self):
        """A step's progress, printed only when the cluster stops answering (once a stall)."""
        waiting = [False]

        def show(event) -> None:
            stalled = getattr(event, "note", "") == fresh.WAITING
            if stalled and not waiting[0]:
                self.say(f"{self.scenario.id}: {fresh.WAITING}")
            waiting[0] = stalled
        return show

    def wait_for_symptom(self, tracker):
        symptom = self.scenario.symptom
        seen = steps.run(steps.await_symptom(self.cluster, tracker, self.where, symptom,
                                             recheck=self.options.recheck), self.stalls())
        if not seen.shown:
            subject = f"Pod {self.where.namespace}/{seen.pod['metadata']['name']}" \
                if seen.pod is not None else "Pod"
            raise StepFailed("wait for symptom", f"the broken manifest did not show its "
                             f"symptom within {symptom.within_seconds}s "
                             f"({symptom.summary.splitlines()[0][:80]})", seen.mismatches, subject)
        return seen

    def check_diagnosis(self, seen) -> None:
        from runner.diagnose import diagnose

        found = diagnose(seen.pod, seen.events, logs=seen.logs, previous_logs=seen.previous,
                         container=self.where.container)
        self.outcome.diagnosed = found.cause
        want = self.scenario.diagnosed_cause
        if found.cause != want:
            evidence = [f"cause: got {found.cause} ({found.confidence}), want {want}"]
            evidence += [f"evidence: {line}" for line in found.evidence[:5]]
            raise StepFailed("diagnose", "crashlab diagnose does not name the scenario's cause",
                             evidence, f"Pod {self.where.namespace}/{seen.pod['metadata']['name']}")

    def wait_for_fix(self, tracker, replaced: set, solution: list[dict]):
        # The same window rule as the learner's (the probe settings of the solution's pod
        # template), plus time for the rollout.
        template = window.template_pod(restart.workload_of(
            solution, self.where.workload_kind, self.where.workload_name))
        size = window.window_for(template, self.where.container,
                                 self.scenario.fixed.min_stable_seconds,
                                 self.options.stability_window)
        timeout = float(size) + self.options.fix_grace
        judged = steps.run(steps.await_fix(
            self.cluster, tracker, self.where, self.scenario, replaced, timeout=timeout,
            stability_window=self.options.stability_window, stop_when_steadily_bad=False),
            self.stalls())
        if judged.verdict is not None:
            self.outcome.window = judged.verdict.window_seconds
        if judged.verdict is None or not judged.verdict.fixed:
            subject = f"Pod {self.where.namespace}/{judged.pod['metadata']['name']}" \
                if judged.pod is not None else "Pod"
            raise StepFailed("wait for fix", _fix_reason(judged.verdict, timeout),
                             _verdict_lines(judged.verdict), subject)
        return judged


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
