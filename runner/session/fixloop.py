"""The learner's fix dialogue: their copy of the manifest, the fix menu, applying it (or the
reference solution, or noticing a kubectl change), the verdict, and "what happened"."""

from __future__ import annotations

import threading

from runner import steps
from runner.errors import CheckFailed, InputError
from runner.podfacts import restarts, template_hash
from runner.results import records
from runner.session import askers, feedback, fixcheck, workspace
from runner.session.podline import pod_line
from runner.textfile import read_text_file

_MANIFEST_TODO = "save it as UTF-8 YAML text, or choose Reveal the solution"


class FixLoop:
    """The fix part of LabSession (it provides placement, render, save, screen, tracker...)."""

    def fix(self, scenario, item) -> None:
        where = self.placement(scenario)
        path, created = workspace.ensure_copy(self.options.workspace, scenario.slug,
                                              self.render(scenario, "broken"))
        self.screen.say(("Your copy of the broken manifest: " if created else
                         "Your manifest (kept as you left it): ") + str(path))
        if item.get("brokenRestartCount") is None:   # the symptom was not seen this time
            records.symptom_seen(item, (), restarts(self.latest_pod(scenario), where.container))
            self.save()
        options = [(askers.APPLY, f"Apply {path.name}"), (askers.HINT, "Show a hint"),
                   (askers.EVIDENCE, "Show the evidence from my pod"),
                   (askers.REVEAL, "Reveal the solution"), (askers.SKIP, "Skip this scenario"),
                   (askers.QUIT, "Quit (progress is saved)")]
        if item["solutionRevealed"]:
            options.insert(1, (askers.SOLUTION, "Apply the reference solution"))
        started = self.tracker.now()
        while True:
            action = askers.SOLUTION if self.options.solve else self.wait_for_action(
                scenario, path, options)
            taken = self.take(action, scenario, item, path)
            if taken is None:
                continue  # a side action, or a change refused before it reached a pod
            exclude, applied_by = taken
            records.fix_applied(item, applied_by)   # in the file before the window starts
            self.save()
            verdict, pod = self.verify(scenario, exclude)
            records.fix_judged(item, verdict is not None and verdict.fixed)
            if verdict is not None and verdict.fixed:
                self.verified(scenario, item, verdict, pod, applied_by)
                return
            self.save()
            self.not_fixed(scenario, verdict, pod)
            if self.options.yes or (not self.options.patient and
                                    self.tracker.now() - started > self.options.fix_timeout):
                self.give_up(scenario, path)

    def take(self, action: str, scenario, item, path):
        """Do what the learner chose. Returns (uids not judged any more, who applied the fix)
        when there is a change to verify, else None (back to the menu)."""
        if action == askers.SOLUTION:
            records.revealed(item)
            self.save()
            return self.apply_text(scenario, self.render(scenario, "solution"),
                                   "the reference solution"), "solution"
        if action == askers.APPLY:
            try:
                objects = self.checked_objects(scenario, read_text_file(path, _MANIFEST_TODO),
                                               str(path))
            except InputError as problem:
                self.screen.say(f"✗ {problem}", "red")
                if not self.options.patient:
                    raise
                return None
            refused = self.refused_by_guards(scenario, objects)
            if refused:
                self.refuse(scenario, path, refused,
                            "Nothing was applied: your file is kept as it is.")
                return None
            return self.apply_objects(scenario, objects, str(path)), "workspace"
        if action == askers.CHANGED:
            self.screen.say("You changed the workload with kubectl: checking it.")
            refused = self.refused_by_guards(scenario, self.live_objects(scenario))
            if refused:
                self.refuse(scenario, path, refused, "The Deployment as you changed it breaks "
                            "a rule of this scenario: change it back.")
                return None
            return self._stale_uids(scenario), "kubectl"
        self.side_action(scenario, item, action)
        return None

    def give_up(self, scenario, path) -> None:
        """Unattended runs only: the fix is not there, stop with exit 1. The scenario is named
        by its neutral heading: its id names the cause."""
        raise CheckFailed(f"{self.header(scenario)} is not fixed yet: edit {path} and resume "
                          f"with: {self.options.resume_command()}")

    def refused_by_guards(self, scenario, objects: list[dict]) -> list:
        where = self.placement(scenario)
        return fixcheck.manifest_guard_failures(scenario.guards, objects, where.workload_kind,
                                                where.workload_name)

    def live_objects(self, scenario) -> list[dict]:
        """The workload and the objects the guards read, as they are on the cluster now."""
        where = self.placement(scenario)
        workload = self.cluster.get(where.workload_kind, where.workload_name, where.namespace)
        guarded = steps.read_guard_objects(self.cluster, where, scenario.guards)
        return [obj for obj in (workload, *guarded.values()) if obj is not None]

    def refuse(self, scenario, path, refused: list, after: str) -> None:
        """A change the manifest alone proves wrong: said at once, nothing (more) applied."""
        self.screen.say("Not fixed yet:", "red")
        for line in feedback.guard_words(refused):
            self.screen.say(f"  {line}")
        self.screen.say(after)
        self.unattended_details(refused)
        if not self.options.patient:
            self.give_up(scenario, path)

    def unattended_details(self, verdict_or_guards) -> None:
        """The matcher's lines, for an unattended run's log only; a learner never sees them."""
        if self.options.patient or verdict_or_guards is None:
            return
        for line in fixcheck.detail_lines(verdict_or_guards):
            self.screen.say(f"  details: {line}")

    def wait_for_action(self, scenario, path, options) -> str:
        """Ask what to do; a new pod template appearing meanwhile (kubectl) answers CHANGED."""
        changed = threading.Event()
        where = self.placement(scenario)
        known = {template_hash(p) for p in self.tracker.pods(where.namespace, where.pod_prefix)}

        def notice(kind, pod):
            if kind == "ADDED" and where.owns_pod(pod) and template_hash(pod) not in known:
                changed.set()

        self.tracker.listeners.append(notice)
        try:
            self.screen.say(f"Edit {path}, then choose Apply (or change the Deployment with "
                            "kubectl: the lab notices).")
            action = self.asker.fix_action(scenario, path, options, changed)
        finally:
            self.tracker.listeners.remove(notice)
        return action

    def _stale_uids(self, scenario) -> set:
        where = self.placement(scenario)
        pods = self.tracker.pods(where.namespace, where.pod_prefix)
        newest = template_hash(pods[-1]) if pods else None
        return {p["metadata"]["uid"] for p in pods if template_hash(p) != newest}

    def checked_objects(self, scenario, text: str, source: str) -> list[dict]:
        """The file's objects, checked (YAML, schema, namespace) but not applied."""
        from runner.manifest_check import check_manifest_text

        return fixcheck.check_objects(check_manifest_text(text, source),
                                      self.placement(scenario).namespace, source)

    def apply_text(self, scenario, text: str, source: str) -> set:
        return self.apply_objects(scenario, self.checked_objects(scenario, text, source), source)

    def apply_objects(self, scenario, objects: list[dict], source: str) -> set:
        """Apply the objects as one step (steps.apply_fix).

        Returns the uids of the pods the change replaces (not judged any more)."""
        where = self.placement(scenario)
        applied = steps.apply_fix(self.cluster, self.tracker, where, objects)
        self.screen.say(f"Applied {', '.join(applied.objects)} to {where.namespace}.")
        if applied.restarted:
            self.screen.say(f"ConfigMap {', '.join(applied.restarted)} changed: a changed "
                            "ConfigMap does not restart pods, so the lab restarted the "
                            f"Deployment (like kubectl rollout restart deployment/"
                            f"{where.workload_name} -n {where.namespace}).")
        if applied.restarted_secrets:
            self.screen.say(f"Secret {', '.join(applied.restarted_secrets)} changed: a running "
                            "pod does not see a changed Secret at once, so the lab restarted the "
                            f"Deployment (like kubectl rollout restart deployment/"
                            f"{where.workload_name} -n {where.namespace}).")
        if applied.interrupted:
            self.screen.say(f"Interrupted after the apply finished ({', '.join(applied.objects)}).")
            raise KeyboardInterrupt
        return applied.replaced

    def verify(self, scenario, exclude: set):
        """Follow the workload's newest pod until it is fixed, or stays not fixed for the
        window; returns (verdict, pod). No pod yet when the step gives up: unattended runs
        keep waiting, a person gets (None, None) and the fix menu back."""
        where = self.placement(scenario)
        while True:
            judged = steps.run(steps.await_fix(
                self.cluster, self.tracker, where, scenario, exclude,
                timeout=self.options.fix_timeout,
                stability_window=self.options.stability_window),
                self.progress(where.container))
            settling = judged.timed_out and judged.verdict is not None and \
                judged.verdict.state == "settling"
            if judged.verdict is not None and not (settling and self.options.patient):
                self.screen.end_live()
                return judged.verdict, judged.pod
            if judged.verdict is None and self.options.patient:
                self.screen.end_live()   # no new pod yet: back to the menu, never stuck here
                return None, None

    def not_fixed(self, scenario, verdict, pod) -> None:
        where = self.placement(scenario)
        events, previous = [], None
        if pod is not None:
            events, _, previous = steps.read_pod(self.cluster, where, pod)
        self.screen.say("Not fixed yet:", "red")
        for line in feedback.not_fixed_lines(verdict, pod, where.container, events,
                                             self._broken_reasons.get(scenario.id), previous):
            self.screen.say(f"  {line}")
        self.unattended_details(verdict)
        self.screen.say("A hint may help (choose Show a hint).")

    def verified(self, scenario, item, verdict, pod, applied_by: str) -> None:
        records.verified(item, applied_by, {
            "podUid": verdict.pod_uid, "podName": pod["metadata"]["name"],
            "restartCount": verdict.restarts,
            "brokenRestartCount": item.get("brokenRestartCount") or 0,
            "windowSeconds": verdict.window_seconds,
            "guards": [result.id for result in verdict.guards],
            "symptom": item.get("symptom") or [],
        })
        self.save()
        self.screen.say(f"✓ Verified: {pod['metadata']['name']} in {self.namespace(scenario)} "
                        f"stayed Ready without a restart for {verdict.window_seconds}s.",
                        "bold green")
        self.explain(scenario, pod)
        if self.options.patient:
            self.asker.pause("Press any key to go on to the next scenario")

    def explain(self, scenario, fixed_pod: dict) -> None:
        from runner.diagnose.timeline import build_timeline, render_timeline

        where = self.placement(scenario)
        targeted = self.usable([c.replace("{namespace}", where.namespace)
                                for c in scenario.kubectl], where.namespace)
        commands = "".join(f"\n  $ {c}" for c in targeted)
        self.screen.panel(f"what happened: {scenario.sample_title}",
                          f"What the broken pod showed: {scenario.symptom.summary}"
                          f"\n\n{scenario.explanation.strip()}"
                          + (f"\n\nCommands that show it directly:{commands}" if commands else ""))
        pods = self.tracker.snapshots(where.namespace, where.pod_prefix)
        fixed_uid = fixed_pod["metadata"]["uid"]
        broken = [snaps for uid, snaps in pods.items() if uid != fixed_uid and snaps]
        if not broken:
            return
        worst = max(broken, key=lambda snaps: restarts(snaps[-1][1], where.container))
        name = worst[-1][1]["metadata"]["name"]
        text = render_timeline(build_timeline(worst))
        text += f"\n\nafter your fix: {pod_line(fixed_pod, where.container)}"
        self.screen.panel(f"restart timeline of {name}", text)
