"""The lab loop for one participant: pre-warm, then per scenario investigate -> quiz -> fix ->
verify -> explain, recording after every step. Talks to the cluster only through `LabCluster`
and `PodTracker`, to the learner only through an Asker and a screen."""

from __future__ import annotations

import threading

from runner import ownership
from runner.catalog import render_manifest_text, render_manifests
from runner.errors import CheckFailed, CrashlabError, InputError
from runner.expect import check_symptom, judge_fix
from runner.session import askers, fixcheck, quiz, records, store, workspace
from runner.session.interrupt import deferred
from runner.session.live import PodTracker
from runner.session.podline import pod_line
from runner.textfile import read_text_file

_MANIFEST_TODO = "save it as UTF-8 YAML text, or choose Reveal the solution"


class Quit(Exception):
    """The learner chose to stop here (progress is saved)."""


class Skipped(Exception):
    """The learner skipped the current scenario."""


class LabSession:
    def __init__(self, catalog, options, cluster, asker, screen, version: str = "0.1.0",
                 environ=None):
        self.catalog, self.options, self.cluster = catalog, options, cluster
        self.asker, self.screen, self.version = asker, screen, version
        self.environ = environ
        self.lab = catalog.lab(options.lab)
        self.scenarios = catalog.lab_scenarios(options.lab)
        if options.only:
            self.scenarios = [s for s in self.scenarios if s.id == options.only]
            if not self.scenarios:
                from runner.errors import UsageError

                known = ", ".join(self.lab.scenario_ids)
                raise UsageError(f"lab {options.lab} has no scenario {options.only!r}; "
                                 f"choose one of: {known}")
        self.record: dict | None = None
        self.tracker: PodTracker | None = None
        self._symptom_lines: dict[str, list[str]] = {}
        self._broken_restarts: dict[str, int] = {}

    # ------------------------------------------------------------------ helpers

    def namespace(self, scenario) -> str:
        return ownership.namespace_name(self.options.participant, scenario.id)

    def labels(self, scenario) -> dict:
        return ownership.owner_labels(self.options.lab, scenario.id, self.options.participant)

    def prefix(self, scenario) -> str:
        return f"{scenario.workload.name}-"

    def save(self) -> None:
        if self.record is not None:
            store.save(records.touch(self.record), self.options.results_path, self.environ)

    def render(self, scenario, variant: str) -> str:
        return render_manifest_text(scenario, variant, namespace=self.namespace(scenario),
                                    image=self.options.image,
                                    participant=self.options.participant, lab=self.options.lab)

    def latest_pod(self, scenario, exclude: set | frozenset = frozenset()) -> dict | None:
        pods = [p for p in self.tracker.pods(self.namespace(scenario), self.prefix(scenario))
                if p["metadata"]["uid"] not in exclude]
        return pods[-1] if pods else None

    # ------------------------------------------------------------------ the run

    def run(self) -> int:
        """The whole lab; returns the exit code. Ctrl-C saves and says how to resume (130)."""
        try:
            return self._run()
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
        self.tracker = PodTracker(self.cluster.watch([self.namespace(s) for s in todo]))
        for scenario in todo:
            self.play(scenario)
        self.summary()
        return 0

    def load_record(self) -> None:
        rows = [(s.id, s.cause, self.namespace(s)) for s in self.catalog.lab_scenarios(
            self.options.lab)]
        where = {"context": self.options.context or self.cluster.context,
                 "server": self.options.server or self.cluster.server, "kind": self.options.kind}
        loaded = store.load(self.options.results_path)
        if loaded is None:
            self.record = records.new_record(self.options.lab, self.options.participant,
                                             self.version, where, rows)
            lab = self.catalog.lab(self.options.lab)
            self.screen.panel(lab.title, lab.intro)  # the pod lifecycle and the flowchart, once
        else:
            self.record = records.merge_lab(loaded, rows, where)
            mine = {s.id for s in self.scenarios}
            resume = next((item["id"] for item in self.record["scenarios"]
                           if item["id"] in mine and not records.is_final(item)), None)
            if resume:
                self.screen.say(f"Resuming {self.options.lab} for {self.options.participant} "
                                f"at {resume}.")
        self.save()

    def prewarm(self, scenarios) -> None:
        """Deploy every remaining scenario now, so each symptom is there when it's reached."""
        with self.screen.step(f"Deploying {len(scenarios)} broken scenario(s)") as note:
            fresh = 0
            for scenario in scenarios:
                ns, labels = self.namespace(scenario), self.labels(scenario)
                self.cluster.ensure_namespace(ns, labels)
                workload = scenario.workload
                if self.cluster.get(ns, workload.kind, workload.name) is not None:
                    continue  # resumed: keep whatever the learner already changed
                with deferred() as interrupted:
                    for obj in render_manifests(scenario, "broken", namespace=ns,
                                                image=self.options.image,
                                                participant=self.options.participant,
                                                lab=self.options.lab):
                        self.cluster.apply_one(obj, ns, labels)
                fresh += 1
                if interrupted():
                    raise KeyboardInterrupt
            note.text = f"{fresh} deployed, {len(scenarios) - fresh} already there"

    # ------------------------------------------------------------------ one scenario

    def play(self, scenario) -> None:
        item = records.entry(self.record, scenario.id)
        records.start(item)
        self.save()
        ns = self.namespace(scenario)
        self.screen.heading(f"{scenario.title} ({scenario.id})")
        self.screen.say(scenario.story.strip())
        self.screen.say(f"Namespace: {ns}. Commands worth running:")
        for command in scenario.kubectl:
            self.screen.command(command.replace("{namespace}", ns))
        try:
            if item["status"] == "investigating":
                self.wait_for_symptom(scenario)
                self.investigate(scenario, item)
            self.fix(scenario, item)
        except Skipped:
            records.skipped(item)
            self.save()
            self.screen.say(f"Skipped {scenario.id}.")

    def wait_for_symptom(self, scenario) -> None:
        ns, symptom = self.namespace(scenario), scenario.symptom
        deadline = self.tracker.now() + symptom.within_seconds
        seen = -1
        while True:
            pod = self.latest_pod(scenario)
            if pod is not None:
                self.screen.live([pod_line(pod, scenario.workload.container)])
                if not _pod_part_missing(symptom, pod):
                    events, logs, previous = self.read_pod(scenario, pod)
                    if not check_symptom(symptom, pod, events, (logs or "") + (previous or "")):
                        self._remember_symptom(scenario, pod, events, logs, previous)
                        self.screen.end_live()
                        # The symptom's summary names the cause: it is shown after the quiz, not here.
                        restarts = _restarts(pod, scenario)
                        self.screen.say(f"{scenario.workload.name} is crash-looping now ({restarts} "
                                        f"restart{'s' if restarts != 1 else ''} so far). Investigate "
                                        "it in another terminal with the commands above, then "
                                        "answer the quiz.", "yellow")
                        return
            remaining = deadline - self.tracker.now()
            if remaining <= 0:
                self.screen.end_live()
                self.screen.say(f"The symptom has not shown within {symptom.within_seconds}s "
                                f"(check `kubectl get pods -n {ns}`); carrying on.", "yellow")
                return
            seen = self.tracker.wait(seen, min(1.0, remaining))

    def read_pod(self, scenario, pod):
        ns, name, container = (self.namespace(scenario), pod["metadata"]["name"],
                               scenario.workload.container)
        events = self.cluster.events(ns, name)
        logs = self.cluster.logs(ns, name, container, previous=False)
        previous = self.cluster.logs(ns, name, container, previous=True)
        return events, logs, previous

    def _remember_symptom(self, scenario, pod, events, logs, previous) -> None:
        from runner.diagnose import diagnose

        found = diagnose(pod, events, logs, previous, container=scenario.workload.container)
        self._symptom_lines[scenario.id] = list(found.evidence)

    def diagnosis(self, scenario):
        from runner.diagnose import diagnose

        pod = self.latest_pod(scenario)
        if pod is None:
            return None, None
        events, logs, previous = self.read_pod(scenario, pod)
        return pod, diagnose(pod, events, logs, previous, container=scenario.workload.container)

    # ------------------------------------------------------------------ investigate + quiz

    def investigate(self, scenario, item) -> None:
        options = [(askers.QUIZ, "Answer the quiz"), (askers.HINT, "Show a hint"),
                   (askers.EVIDENCE, "Show the evidence from my pod"),
                   (askers.SKIP, "Skip this scenario"), (askers.REVEAL, "Reveal the solution"),
                   (askers.QUIT, "Quit (progress is saved)")]
        while True:
            action = self.asker.menu(scenario, options)
            if action == askers.QUIZ:
                self.run_quiz(scenario, item)
                return
            self.side_action(scenario, item, action)

    def side_action(self, scenario, item, action: str) -> None:
        if action == askers.HINT:
            self.show_hint(scenario, item)
        elif action == askers.EVIDENCE:
            self.show_evidence(scenario, item)
        elif action == askers.REVEAL:
            self.reveal(scenario, item)
        elif action == askers.SKIP:
            raise Skipped()
        elif action == askers.QUIT:
            raise Quit()

    def show_hint(self, scenario, item) -> None:
        index = min(item["hintsShown"], len(scenario.hints) - 1)
        records.count(item, "hintsShown")
        self.save()
        self.screen.panel(f"hint {index + 1} of {len(scenario.hints)}",
                          scenario.hints[index].strip())

    def show_evidence(self, scenario, item) -> None:
        records.count(item, "evidenceShown")
        self.save()
        pod, found = self.diagnosis(scenario)
        if found is None:
            self.screen.say("No pod to look at yet.")
            return
        lines = [f"Cause: {found.cause} ({found.confidence} confidence)", found.summary, ""]
        lines += [f"• {line}" for line in found.evidence]
        lines += [f"$ {line}" for line in found.next]
        self.screen.panel(f"evidence: {found.namespace}/{found.pod}", "\n".join(lines))

    def reveal(self, scenario, item) -> None:
        records.revealed(item)
        self.save()
        path = workspace.manifest_path(self.options.workspace, scenario.id)
        solution = path.with_name(f"{scenario.id}.solution.yaml")
        solution.parent.mkdir(parents=True, exist_ok=True)
        solution.write_text(self.render(scenario, "solution"), encoding="utf-8")
        self.screen.panel("solution", f"{scenario.hints[-1].strip()}\n\nThe reference "
                          f"manifest is in {solution}; apply it from the fix menu.")

    def run_quiz(self, scenario, item) -> None:
        for question_id in quiz.QUESTIONS:
            if records.answered(item, question_id):
                continue
            question = quiz.shuffled(scenario.question(question_id),
                                     f"{self.options.participant}/{scenario.id}")
            attempt = 0
            while True:
                attempt += 1
                judgement = quiz.judge(question, self.asker.answer(scenario, question, attempt))
                records.add_attempt(item, question_id, judgement.answer, judgement.correct)
                self.save()
                if judgement.correct:
                    self.screen.say(f"✓ {judgement.feedback.strip()}", "green")
                    break
                self.screen.say(f"✗ {judgement.feedback.strip()}", "red")
                pod, found = self.diagnosis(scenario)
                self.screen.say("  Your pod: " + quiz.own_pod_line(
                    pod, scenario.workload.container, found.evidence if found else ()), "yellow")
                self.screen.say("  Try again.")
        records.diagnosed(item)
        self.save()

    # ------------------------------------------------------------------ fix + verify

    def fix(self, scenario, item) -> None:
        path, created = workspace.ensure_copy(self.options.workspace, scenario.id,
                                              self.render(scenario, "broken"))
        self.screen.say(("Your copy of the broken manifest: " if created else
                         "Your manifest (kept as you left it): ") + str(path))
        pod = self.latest_pod(scenario)
        self._broken_restarts.setdefault(scenario.id, _restarts(pod, scenario))
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
            verdict, pod = self.verify(scenario, exclude)
            if verdict.fixed:
                self.verified(scenario, item, verdict, pod, applied_by)
                return
            self.not_fixed(scenario, verdict)
            if self.options.yes or self.tracker.now() - started > self.options.fix_timeout:
                raise CheckFailed(f"{scenario.id} is not fixed yet: edit {path} and run "
                                  f"`crashlab run {self.options.lab} --participant "
                                  f"{self.options.participant}` again")

    def wait_for_action(self, scenario, path, options) -> str:
        """Ask what to do; a new pod template appearing meanwhile (kubectl) answers CHANGED."""
        changed = threading.Event()
        ns, prefix = self.namespace(scenario), self.prefix(scenario)
        known = {_template_hash(p) for p in self.tracker.pods(ns, prefix)}

        def notice(kind, pod):
            meta = pod.get("metadata") or {}
            if kind == "ADDED" and meta.get("namespace") == ns and \
                    meta.get("name", "").startswith(prefix) and _template_hash(pod) not in known:
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
        pods = self.tracker.pods(self.namespace(scenario), self.prefix(scenario))
        newest = _template_hash(pods[-1]) if pods else None
        return {p["metadata"]["uid"] for p in pods if _template_hash(p) != newest}

    def apply_text(self, scenario, text: str, source: str) -> set:
        """Check, then apply the file's objects as one step; restart on a changed ConfigMap.

        Returns the uids of the pods the change replaces (not judged any more)."""
        from runner.manifest_check import check_manifest_text

        ns, labels, workload = self.namespace(scenario), self.labels(scenario), scenario.workload
        objects = fixcheck.check_objects(check_manifest_text(text, source), ns, source)
        target = fixcheck.workload_of(objects, workload.kind, workload.name)
        used = fixcheck.configmaps_used(fixcheck.pod_spec_of(
            target or self.cluster.get(ns, workload.kind, workload.name)))
        live = {name: self.cluster.get(ns, "ConfigMap", name) for name in used}
        changed = fixcheck.changed_configmaps(objects, live, used)
        before = self.cluster.get(ns, workload.kind, workload.name) or {}
        old_pods = self.tracker.uids(ns, self.prefix(scenario))
        done: list[str] = []
        with deferred() as interrupted:
            for obj in objects:
                self.cluster.apply_one(obj, ns, labels)
                done.append(f"{obj['kind']}/{obj['metadata']['name']}")
            if changed:
                self.cluster.restart(ns, workload.kind, workload.name,
                                     fixcheck.restart_patch(records.utc_now()))
        self.screen.say(f"Applied {', '.join(done)} to {ns}.")
        if changed:
            self.screen.say(f"ConfigMap {', '.join(changed)} changed: a changed ConfigMap does "
                            "not restart pods, so the lab restarted the Deployment (like "
                            f"kubectl rollout restart deployment/{workload.name} -n {ns}).")
        if interrupted():
            self.screen.say(f"Interrupted after the apply finished ({', '.join(done)}).")
            raise KeyboardInterrupt
        after = self.cluster.get(ns, workload.kind, workload.name) or {}
        if _generation(after) != _generation(before):
            return old_pods
        return set()

    def verify(self, scenario, exclude: set):
        """Follow the workload's newest pod until judge_fix says fixed, or it stays not fixed
        for the window; returns (verdict, pod)."""
        ns, container = self.namespace(scenario), scenario.workload.container
        objects = {name: self.cluster.get(ns, *name.split("/", 1))
                   for name in fixcheck.guard_objects(scenario.guards)}
        objects = {name: obj for name, obj in objects.items() if obj is not None}
        window = self.options.stability_window
        seen, bad_since, verdict, pod = -1, None, None, None
        give_up = self.tracker.now() + self.options.fix_timeout
        while True:
            pod = self.latest_pod(scenario, exclude)
            now = self.tracker.now()
            if now > give_up and verdict is not None and not verdict.fixed:
                self.screen.end_live()
                return verdict, pod
            if pod is None:
                self.screen.live(["waiting for the new pod ..."])
            else:
                history = self.tracker.history(pod["metadata"]["uid"])
                verdict = judge_fix(scenario.fixed, scenario.guards, container, history, now,
                                    objects, window)
                line = pod_line(pod, container)
                if verdict.fixed:
                    self.screen.end_live()
                    return verdict, pod
                if verdict.state == "settling":
                    bad_since = None
                    self.screen.live([line, f"looks fixed: staying healthy for "
                                      f"{verdict.remaining_seconds:.0f}s more "
                                      f"(window {verdict.window_seconds}s)"])
                else:
                    self.screen.live([line, "not fixed yet"])
                    if _has_status(pod, container):
                        bad_since = now if bad_since is None else bad_since
                        if now - bad_since >= max(verdict.window_seconds, 1):
                            self.screen.end_live()
                            return verdict, pod
            seen = self.tracker.wait(seen, 0.5 if verdict is None or
                                     verdict.state != "settling"
                                     else min(1.0, verdict.remaining_seconds))

    def not_fixed(self, scenario, verdict) -> None:
        self.screen.say("Not fixed yet:", "red")
        for line in fixcheck.verdict_lines(verdict):
            self.screen.say(f"  {line}")
        self.screen.say("A hint may help (choose Show a hint).")

    def verified(self, scenario, item, verdict, pod, applied_by: str) -> None:
        ns = self.namespace(scenario)
        records.verified(item, applied_by, {
            "podUid": verdict.pod_uid, "podName": pod["metadata"]["name"],
            "restartCount": verdict.restarts,
            "brokenRestartCount": self._broken_restarts.get(scenario.id, 0),
            "windowSeconds": verdict.window_seconds,
            "guards": [result.id for result in verdict.guards],
            "symptom": self._symptom_lines.get(scenario.id, []),
        })
        self.save()
        self.screen.say(f"✓ Verified: {pod['metadata']['name']} in {ns} stayed Ready without "
                        f"a restart for {verdict.window_seconds}s.", "bold green")
        self.explain(scenario, pod)

    def explain(self, scenario, fixed_pod: dict) -> None:
        from runner.diagnose.timeline import build_timeline, render_timeline

        self.screen.panel("what happened", f"What the broken pod showed: {scenario.symptom.summary}"
                          f"\n\n{scenario.explanation.strip()}")
        pods = self.tracker.snapshots(self.namespace(scenario), self.prefix(scenario))
        fixed_uid = fixed_pod["metadata"]["uid"]
        broken = [snaps for uid, snaps in pods.items() if uid != fixed_uid and snaps]
        if not broken:
            return
        worst = max(broken, key=lambda snaps: _restarts(snaps[-1][1], scenario))
        name = worst[-1][1]["metadata"]["name"]
        text = render_timeline(build_timeline(worst))
        text += (f"\n\nafter your fix: {pod_line(fixed_pod, scenario.workload.container)}")
        self.screen.panel(f"restart timeline of {name}", text)

    def summary(self) -> None:
        self.screen.heading(f"{self.options.lab} summary for {self.options.participant}")
        self.screen.table(("scenario", "status", "quiz tries", "hints", "time to fix",
                           "fixed by"), records.summary_rows(self.record))
        self.screen.say(f"Results: {self.options.results_path}")


def _restarts(pod, scenario) -> int:
    for status in ((pod or {}).get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == scenario.workload.container:
            return status.get("restartCount") or 0
    return 0


def _template_hash(pod: dict) -> str | None:
    return ((pod.get("metadata") or {}).get("labels") or {}).get("pod-template-hash")


def _generation(obj: dict):
    return (obj.get("metadata") or {}).get("generation")


def _has_status(pod: dict, container: str) -> bool:
    """True once the container got past creation (running, exited, or stuck on its config)."""
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == container:
            waiting = (status.get("state") or {}).get("waiting") or {}
            return waiting.get("reason") != "ContainerCreating"
    return False


def _pod_part_missing(symptom, pod) -> bool:
    from runner.expect import match

    return bool(match(symptom.pod, pod))


__all__ = ["LabSession", "Quit", "CrashlabError"]
