"""The learner's dialogue for one lab: pre-warm, then per scenario investigate -> quiz -> fix
-> verify -> explain, recording after every step. The cluster work is runner.steps; this
module only talks to the learner (an Asker and a screen) and keeps the record."""

from __future__ import annotations

import time

from runner import steps
from runner.catalog import render_manifest_text, render_manifests
from runner.cluster import PodTracker
from runner.errors import ClusterError
from runner.lookup import lab_scenarios
from runner.placement import placement_for
from runner.podfacts import container_status, restarts
from runner.results import records
from runner.results import load_progress, save_results
from runner.session import fixloop, investigation
from runner.session.investigation import Quit, Skipped  # Quit: raised by the investigation, caught here
from runner.session.podline import pod_line


class LabSession(fixloop.FixLoop, investigation.Investigation):
    def __init__(self, catalog, options, cluster, asker, screen, version: str = "0.1.0",
                 environ=None, clock=time.monotonic):
        self.catalog, self.options, self.cluster = catalog, options, cluster
        self.asker, self.screen, self.version = asker, screen, version
        self.environ, self.clock = environ, clock
        self.lab = catalog.lab(options.lab)
        self.scenarios = lab_scenarios(catalog, options.lab, options.only)
        self.record: dict | None = None
        self.tracker: PodTracker | None = None
        self.publisher = None
        self._broken_reasons: dict[str, str] = {}   # the broken pod's termination reason
        self._abilities: dict = {}

    # ------------------------------------------------------------------ helpers

    def placement(self, scenario):
        return placement_for(self.options.lab, self.options.participant, scenario,
                             self.options.image, self.options.workspace)

    def namespace(self, scenario) -> str:
        return self.placement(scenario).namespace

    def save(self) -> None:
        if self.record is not None:
            # the learner can read the file: no cause before its quiz (records.cause_known)
            save_results(records.for_learner(records.touch(self.record)),
                         self.options.results_path, environ=self.environ)
            if self.publisher is not None:   # a workshop namespace: the class view reads it
                self.publisher.publish(self.record)

    def render(self, scenario, variant: str) -> str:
        return render_manifest_text(scenario, variant, **self.placement(scenario).render_args())

    def usable(self, commands, namespace: str) -> list[str]:
        """Leave out commands that cannot work here (no metrics API, no port-forward right)."""
        from runner.session.commands import Abilities, needs, usable

        if not any(needs(c) for c in commands):
            return list(commands)
        if namespace not in self._abilities:
            may = self.cluster.may("create", "pods", namespace, "portforward")
            self._abilities[namespace] = Abilities(
                metrics=self.cluster.serves("metrics.k8s.io/v1beta1"),
                port_forward=may is True or (may is None and self.options.kind))
        return usable(commands, self._abilities[namespace])

    def latest_pod(self, scenario) -> dict | None:
        where = self.placement(scenario)
        return self.tracker.newest(where.namespace, where.pod_prefix)

    def progress(self, container: str, reasons: bool = True):
        """The one live view of a waiting step: the pod's line and why the step waits on
        (without the pod's reasons and exit codes before the quiz)."""
        def show(event) -> None:
            if isinstance(event, steps.Watching):
                lines = ([pod_line(event.pod, container, reasons=reasons)]
                         if event.pod is not None else [])
                lines += [event.note] if event.note else []
                if lines:
                    self.screen.live(lines)
        return show

    # ------------------------------------------------------------------ the run

    def run(self) -> int:
        """The whole lab; returns the exit code. Ctrl-C saves and says how to resume (130); a
        lost API saves, says how to resume and raises the ClusterError on (exit 4)."""
        try:
            return self._run()
        except ClusterError:
            self.save()
            self.screen.end_live()
            self.screen.say()
            self.screen.say(f"Progress saved to {self.options.results_path}. "
                            f"Resume with: {self.options.resume_command()}")
            raise
        except KeyboardInterrupt:
            self.save()
            self.screen.end_live()
            self.screen.say()
            self.screen.say(f"Interrupted: progress saved to {self.options.results_path}. "
                            f"Resume with: {self.options.resume_command()}")
            return 130
        except Quit:
            self.save()
            self.screen.say(f"Progress saved to {self.options.results_path}. "
                            f"Resume with: {self.options.resume_command()}")
            return 0
        finally:
            if self.tracker is not None:
                self.tracker.close()
            self.screen.close()

    def _run(self) -> int:
        from runner import progress

        self.publisher = progress.publisher_for(self.cluster, self.lab, self.options.participant,
                                                environ=self.environ, say=self.screen.say)
        self.load_record()
        todo = [s for s in self.scenarios
                if not records.is_final(records.entry(self.record, s.id))]
        if not todo:
            self.screen.say(f"Every scenario of {self.options.lab} is done for "
                            f"{self.options.participant}; `crashlab reset SCENARIO` to try one "
                            "again.")
            self.summary()
            return 0
        self.prewarm(todo)
        self.tracker = PodTracker(self.cluster.watch_pods_many(
            [self.namespace(s) for s in todo]), clock=self.clock)
        for scenario in todo:
            self.play(scenario)
        self.summary()
        return 0

    def load_record(self) -> None:
        rows = [(s.id, s.cause, self.namespace(s))
                for s in self.catalog.lab_scenarios(self.options.lab)]
        where = {"context": self.options.context or self.cluster.context,
                 "server": self.options.server or self.cluster.server, "kind": self.options.kind}
        loaded = load_progress(self.options.results_path)
        if loaded is None:
            self.record = records.new_record(self.options.lab, self.options.participant, rows,
                                             version=self.version, cluster=where)
            if self.options.guided:
                self.record["guided"] = True
            self.screen.panel(self.lab.title, self.lab.intro)  # lifecycle and flowchart, once
        else:
            self.record = records.merge_lab(loaded, rows, where)
            mine = {s.id: s for s in self.scenarios}
            resume = next((mine[item["id"]] for item in self.record["scenarios"]
                           if item["id"] in mine and not records.is_final(item)), None)
            if resume:   # named as before its quiz: its heading, never its id
                self.screen.say(f"Resuming {self.options.lab} for {self.options.participant} "
                                f"at {self.header(resume)}.")
        self.save()

    def prewarm(self, scenarios) -> None:
        """Deploy every remaining scenario now, so each symptom is there when it's reached."""
        with self.screen.step(f"Deploying {len(scenarios)} broken scenario(s)") as note:
            fresh = 0
            for scenario in scenarios:
                where = self.placement(scenario)
                objects = render_manifests(scenario, "broken", **where.render_args())
                fresh += steps.run(steps.deploy(self.cluster, where, objects)).fresh
            note.text = f"{fresh} deployed, {len(scenarios) - fresh} already there"

    # ------------------------------------------------------------------ one scenario

    def play(self, scenario) -> None:
        item = records.entry(self.record, scenario.id)
        records.start(item)
        self.save()
        ns = self.namespace(scenario)
        self.screen.heading(self.header(scenario))
        self.screen.say(scenario.story.strip())
        self.screen.say(f"Namespace: {ns}. Commands worth running:")
        # before the quiz the workshop's generic flowchart; --guided: the targeted commands
        commands = scenario.kubectl if self.options.guided else scenario.investigate
        for command in self.usable([c.replace("{namespace}", ns) for c in commands], ns):
            self.screen.command(command)
        try:
            if item["status"] == "investigating":
                self.wait_for_symptom(scenario, item)
                self.investigate(scenario, item)
            self.fix(scenario, item)
        except Skipped:
            records.skipped(item)
            self.save()
            self.screen.say(f"Skipped {self.header(scenario)}.")

    def header(self, scenario) -> str:
        """Neutral before the quiz (a number and the service); --guided: the sample's title."""
        ids = self.lab.scenario_ids
        heading = scenario.heading(ids.index(scenario.id) + 1 if scenario.id in ids else None)
        return f"{scenario.sample_title} ({heading})" if self.options.guided else heading

    def wait_for_symptom(self, scenario, item) -> None:
        where = self.placement(scenario)
        seen = steps.run(steps.await_symptom(self.cluster, self.tracker, where, scenario.symptom),
                         self.progress(where.container, reasons=False))
        self.screen.end_live()
        if not seen.shown:
            self.screen.say(f"The symptom has not shown within {scenario.symptom.within_seconds}s "
                            f"(check `kubectl get pods -n {where.namespace}`); carrying on.",
                            "yellow")
            return
        found = self.diagnose(scenario, seen.pod, (seen.events, seen.logs, seen.previous))
        last = ((container_status(seen.pod, where.container) or {}).get("lastState") or {})
        if (last.get("terminated") or {}).get("reason"):
            self._broken_reasons[scenario.id] = last["terminated"]["reason"]
        count = restarts(seen.pod, where.container)
        records.symptom_seen(item, found.evidence, count)   # in the file before the quiz
        self.save()
        # The symptom's summary names the cause: it is shown after the quiz, not here.
        self.screen.say(f"{scenario.workload.name} is crash-looping now ({count} "
                        f"restart{'s' if count != 1 else ''} so far). Investigate "
                        "it in another terminal with the commands above, then "
                        "answer the quiz.", "yellow")

    def diagnose(self, scenario, pod, read=None):
        from runner.diagnose import diagnose

        events, logs, previous = read or steps.read_pod(self.cluster, self.placement(scenario),
                                                        pod)
        return diagnose(pod, events, logs, previous, container=scenario.workload.container)

    def diagnosis(self, scenario):
        pod = self.latest_pod(scenario)
        return (None, None) if pod is None else (pod, self.diagnose(scenario, pod))

    # ------------------------------------------------------------------ investigate + quiz

    def summary(self) -> None:
        self.screen.heading(f"{self.options.lab} summary for {self.options.participant}")
        self.screen.table(("scenario", "status", "quiz tries", "hints", "time to fix",
                           "fixed by"), records.summary_rows(self.record, {
                               s.id: self.header(s) for s in
                               self.catalog.lab_scenarios(self.options.lab)}))
        self.screen.say(f"Results: {self.options.results_path}")
