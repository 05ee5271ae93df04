"""Investigating one scenario before its fix: the pre-quiz menu (hint, where to look, skip,
reveal, quit) and the quiz itself. A mixin of LabSession, like fixloop.FixLoop: it uses the
session's cluster, tracker, screen, asker and record."""

from __future__ import annotations

from runner import steps
from runner.results import records
from runner.session import askers, feedback, quiz


class Quit(Exception):
    """The learner chose to stop here (progress is saved)."""


class Skipped(Exception):
    """The learner skipped the current scenario."""


class Investigation:
    def investigate(self, scenario, item) -> None:
        options = [(askers.QUIZ, "Answer the quiz"), (askers.HINT, "Show a hint"),
                   (askers.EVIDENCE, "Show me where to look"),
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
        index = min(records.hints_given(item), len(scenario.hints) - 1)
        records.count(item, "hintsShown")
        self.save()
        self.screen.panel(f"hint {index + 1} of {len(scenario.hints)}",
                          scenario.hints[index].strip())

    def show_evidence(self, scenario, item) -> None:
        """Before the cause question is answered: where to look, never the verdict (it counts
        as a hint). After: the diagnosis of the learner's pod."""
        if not records.answered(item, "cause"):
            self.show_where_to_look(scenario, item)
            return
        records.count(item, "evidenceShown")
        self.save()
        pod, found = self.diagnosis(scenario)
        if found is None:
            self.screen.say("No pod to look at yet.")
            return
        lines = feedback.diagnosis_lines(found, self.usable(found.next,
                                                            self.namespace(scenario)))
        self.screen.panel(f"evidence: {found.namespace}/{found.pod}", "\n".join(lines))

    def show_where_to_look(self, scenario, item) -> None:
        from runner.session.feedback import where_to_look

        records.looked(item)
        self.save()
        where = self.placement(scenario)
        pod = self.latest_pod(scenario)
        events, previous = [], None
        if pod is not None:
            events, _, previous = steps.read_pod(self.cluster, where, pod)
        name = pod["metadata"]["name"] if pod else where.workload_name
        self.screen.panel(f"where to look: {name}", "\n".join(
            f"• {line}" for line in where_to_look(pod, where.container, events, previous)))

    def reveal(self, scenario, item) -> None:
        records.revealed(item)
        self.save()
        solution = self.placement(scenario).solution_path
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
                # the diagnosis' evidence only once the cause is named: before, the pod's fields
                evidence = found.evidence if found and records.answered(item, "cause") else ()
                self.screen.say("  Your pod: " + quiz.own_pod_line(
                    pod, scenario.workload.container, evidence), "yellow")
                self.screen.say("  Try again.")
        records.diagnosed(item)
        self.save()
