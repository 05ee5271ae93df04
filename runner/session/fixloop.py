"""The learner's fix dialogue: their copy of the manifest, the fix menu, applying it (or the
reference solution, or noticing a kubectl change), the verdict, and "what happened"."""

from __future__ import annotations

import threading

from runner import steps
from runner.errors import CheckFailed, InputError
from runner.podfacts import restarts, template_hash
from runner.results import records
from runner.session import askers, fixcheck, workspace
from runner.session.podline import pod_line
from runner.textfile import read_text_file

_MANIFEST_TODO = "save it as UTF-8 YAML text, or choose Reveal the solution"


class FixLoop:
    """The fix part of LabSession (it provides placement, render, save, screen, tracker...)."""

    def fix(self, scenario, item) -> None:
        where = self.placement(scenario)
        path, created = workspace.ensure_copy(self.options.workspace, scenario.id,
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
            if action == askers.SOLUTION:
                records.revealed(item)
                self.save()
                exclude = self.apply_text(scenario, self.render(scenario, "solution"),
                                          "the reference solution")
                applied_by = "solution"
            elif action == askers.APPLY:
                try:
                    exclude = self.apply_text(scenario, read_text_file(path, _MANIFEST_TODO),
                                              str(path))
                except InputError as problem:
                    self.screen.say(f"✗ {problem}", "red")
                    if self.options.yes:
                        raise
                    continue
                applied_by = "workspace"
            elif action == askers.CHANGED:
                self.screen.say("You changed the workload with kubectl: checking it.")
                exclude = self._stale_uids(scenario)
                applied_by = "kubectl"
            else:
                self.side_action(scenario, item, action)
                continue
            records.fix_applied(item, applied_by)
            self.save()
            verdict, pod = self.verify(scenario, exclude)
            records.fix_judged(item, verdict.fixed)
            if verdict.fixed:
                self.verified(scenario, item, verdict, pod, applied_by)
                return
            self.save()
            self.not_fixed(scenario, verdict)
            if self.options.yes or self.tracker.now() - started > self.options.fix_timeout:
                raise CheckFailed(f"{scenario.id} is not fixed yet: edit {path} and resume "
                                  f"with: {self.options.resume_command()}")

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

    def apply_text(self, scenario, text: str, source: str) -> set:
        """Check, then apply the file's objects as one step (steps.apply_fix).

        Returns the uids of the pods the change replaces (not judged any more)."""
        from runner.manifest_check import check_manifest_text

        where = self.placement(scenario)
        objects = fixcheck.check_objects(check_manifest_text(text, source), where.namespace,
                                         source)
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
        window; returns (verdict, pod). No pod yet when the step gives up: keep waiting."""
        where = self.placement(scenario)
        while True:
            judged = steps.run(steps.await_fix(
                self.cluster, self.tracker, where, scenario, exclude,
                timeout=self.options.fix_timeout,
                stability_window=self.options.stability_window),
                self.progress(where.container))
            if judged.verdict is not None:
                self.screen.end_live()
                return judged.verdict, judged.pod

    def not_fixed(self, scenario, verdict) -> None:
        self.screen.say("Not fixed yet:", "red")
        for line in fixcheck.verdict_lines(verdict):
            self.screen.say(f"  {line}")
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

    def explain(self, scenario, fixed_pod: dict) -> None:
        from runner.diagnose.timeline import build_timeline, render_timeline

        self.screen.panel("what happened", f"What the broken pod showed: {scenario.symptom.summary}"
                          f"\n\n{scenario.explanation.strip()}")
        where = self.placement(scenario)
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
