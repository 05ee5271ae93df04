"""A workshop class played on the emulator: participants move through lab-3 on a schedule.

The cluster side (namespaces made by `workshop prepare`, Deployments, pods) is written into the
emulator's store; the records go through the real `runner.progress.ProgressPublisher` over HTTP,
as the session writes them. Pod statuses follow ../shared/reference/pod-status-facts.md:
  bad-command       §1  lastState.terminated StartError, exit 128, runc's exec message
  oom-killed        §2  lastState.terminated OOMKilled, exit 137
  invalid-app-config §3 lastState.terminated Error, exit 1
  invalid-user      §4  lastState.terminated Error, exit 1 (EACCES in the logs)
  failing-liveness  §5  lastState.terminated Error, exit 137, Running with READY 0/1
and the waiting message is kubelet's `back-off <d> restarting failed container=<c> pod=<pod>`
(kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go, doBackOff).
"""

from __future__ import annotations

import datetime
import json

from runner import placement, progress, results, workshop
from runner.results import records
from runner.catalog import load_catalog, render_manifests

CATALOG = load_catalog()
LAB = CATALOG.labs["lab-3"]
S = LAB.scenario_ids  # bad-command, oom-killed, invalid-app-config, invalid-user, failing-liveness-probe
KEY = "workshop-key"

_LAST = {
    "bad-command": {"reason": "StartError", "exitCode": 128,
                    "startedAt": "1970-01-01T00:00:00Z",
                    "message": "failed to create containerd task: failed to create shim task: OCI "
                    "runtime create failed: runc create failed: unable to start container process: "
                    "error during container init: exec: \"lab-ap\": executable file not found in "
                    "$PATH: unknown"},
    "oom-killed": {"reason": "OOMKilled", "exitCode": 137},
    "invalid-app-config": {"reason": "Error", "exitCode": 1},
    "invalid-user": {"reason": "Error", "exitCode": 1},
    "failing-liveness-probe": {"reason": "Error", "exitCode": 137},
}

# Who does what. Minutes are before "now" (the test's clock); "at" is the scenario reached.
PROFILES = {
    "fast": "all five verified",
    "typical": "two verified, answering the third (one wrong answer), active a minute ago",
    "idle": "on oom-killed since 25 minutes, nothing since",
    "guessing": "on oom-killed, four wrong answers",
    "refused": "on bad-command, quiz passed, Deployment changed 3 times, still crash-looping",
    "lost-pod": "on bad-command, its pod deleted and not replaced",
    "gave-up": "skipped bad-command, revealed oom-killed, on invalid-app-config",
    "tamperer": "edited the record on the cluster to say everything is verified",
}


def class_of_30() -> dict[str, str]:
    return class_of(30)


def class_of(size: int) -> dict[str, str]:
    """`size` participants; every block of 30 has the same mix of profiles."""
    width = 2 if size < 100 else 3
    names = {}
    for i in range(1, size + 1):
        k = (i - 1) % 30 + 1
        profile = ("fast" if k <= 8 else "typical" if k <= 20 else "idle" if k <= 23
                   else "guessing" if k <= 25 else "refused" if k <= 27 else "lost-pod" if k == 28
                   else "gave-up" if k == 29 else "tamperer")
        names[f"p{i:0{width}d}"] = profile
    return names


def iso(now: datetime.datetime, minutes_ago: float) -> str:
    return results.now_iso(now - datetime.timedelta(minutes=minutes_ago))


def _pod(deployment: dict, broken: bool, scenario: str, started: str, restarts: int = 4) -> dict:
    meta, template = deployment["metadata"], deployment["spec"]["template"]
    container = template["spec"]["containers"][0]["name"]
    name = f"{meta['name']}-7d9c5b7f4-{meta['namespace'][-5:].replace('-', 'x')}"
    if broken and scenario == "failing-liveness-probe":
        state, ready, phase = {"running": {"startedAt": started}}, False, "Running"
    elif broken:
        state = {"waiting": {"reason": "CrashLoopBackOff",
                             "message": f"back-off 40s restarting failed container={container} "
                             f"pod={name}_{meta['namespace']}(0b8f1c2e-uid)"}}
        ready, phase = False, "Running"
    else:
        state, ready, phase, restarts = {"running": {"startedAt": started}}, True, "Running", 0
    status = {"name": container, "ready": ready, "restartCount": restarts, "started": ready,
              "state": state, "image": "crashlab/lab-app:0.1.0"}
    if broken:
        status["lastState"] = {"terminated": {"startedAt": started, "finishedAt": started,
                                              **_LAST[scenario]}}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": meta["namespace"],
                         "labels": dict(template["metadata"]["labels"])},
            "spec": template["spec"],
            "status": {"phase": phase, "conditions": [{"type": "Ready",
                                                       "status": "True" if ready else "False"}],
                       "containerStatuses": [status]}}


class ClassPlay:
    """Moves a class on the emulator; each public method is one step of the schedule."""

    def __init__(self, k8s_api, now: datetime.datetime, key: str = KEY):
        self.api, self.store, self.now, self.key = k8s_api, k8s_api.emulator.store, now, key
        self.admin = k8s_api.connect()
        self.records: dict[str, dict] = {}

    def ns(self, participant: str, scenario: str) -> str:
        return placement.namespace_name(participant, LAB.slug(scenario))

    def prepare(self, participant: str) -> None:
        for scenario in S:
            self.store.create("namespaces", "", {"apiVersion": "v1", "kind": "Namespace",
                              "metadata": {"name": self.ns(participant, scenario),
                                           "labels": workshop.workshop_labels(LAB.id, LAB.key(scenario),
                                                                              participant)},
                              "status": {"phase": "Active"}}, False)
        self.records[participant] = rec = records.new_record(
            LAB.id, participant, S, started_at=iso(self.now, 60))
        for entry in rec["scenarios"]:
            entry["cause"] = CATALOG.scenarios[entry["id"]].cause
            entry["namespace"] = self.ns(participant, entry["id"])
        self.publish(participant, 60)

    def deploy(self, participant: str, scenario: str, minutes_ago: float) -> None:
        namespace = self.ns(participant, scenario)
        for obj in render_manifests(CATALOG.scenarios[scenario], "broken", namespace=namespace,
                                    participant=participant, lab=LAB.id):
            plural = {"Deployment": "deployments", "ConfigMap": "configmaps"}[obj["kind"]]
            stored = self.store.create(plural, namespace, obj, plural == "deployments")
            if obj["kind"] == "Deployment":
                self.store.create("pods", namespace,
                                  _pod(stored, True, scenario, iso(self.now, minutes_ago)), False)
        entry = self.entry(participant, scenario)
        entry.update(status="investigating", startedAt=iso(self.now, minutes_ago))
        self.publish(participant, minutes_ago)

    def answer(self, participant: str, scenario: str, wrong: int, right: bool,
               minutes_ago: float) -> None:
        entry = self.entry(participant, scenario)
        cause = CATALOG.scenarios[scenario].cause
        for i in range(wrong):
            entry["quiz"]["cause"]["attempts"].append(
                {"answer": "app_config" if cause != "app_config" else "bad_command",
                 "correct": False, "at": iso(self.now, minutes_ago + 0.1 * (wrong - i))})
        if right:
            at = iso(self.now, minutes_ago)
            entry["quiz"]["cause"]["attempts"].append({"answer": cause, "correct": True, "at": at})
            entry["quiz"]["evidence"]["attempts"].append({"answer": "e", "correct": True, "at": at})
            entry.update(status="fixing", diagnosedAt=at)
        self.publish(participant, minutes_ago)

    def change_deployment(self, participant: str, scenario: str, fixed: bool, n: int = 1) -> None:
        namespace = self.ns(participant, scenario)
        name = CATALOG.scenarios[scenario].workload.name
        if fixed:
            solution = next(o for o in render_manifests(
                CATALOG.scenarios[scenario], "solution", namespace=namespace,
                participant=participant, lab=LAB.id) if o["kind"] == "Deployment")
            self.store.update("deployments", namespace, name, lambda old: {
                **old, "spec": solution["spec"]})
        else:
            self.store.update("deployments", namespace, name, lambda old: _with_env(old, n))
        for pod in self.store.list("pods", namespace)[0]:
            self.store.delete("pods", namespace, pod["metadata"]["name"])
        deployment = self.store.get("deployments", namespace, name)
        self.store.create("pods", namespace, _pod(deployment, not fixed, scenario,
                                                   iso(self.now, 1)), False)

    def verify(self, participant: str, scenario: str, minutes_ago: float,
               revealed: bool = False) -> None:
        self.change_deployment(participant, scenario, fixed=True)
        entry = self.entry(participant, scenario)
        at = iso(self.now, minutes_ago)
        entry.update(status="revealed" if revealed else "verified", fixedAt=at,
                     solutionRevealed=revealed, fixAppliedBy="solution" if revealed else "workspace",
                     verification={"verifiedAt": at, "podName": "web", "restartCount": 0})
        self.publish(participant, minutes_ago)

    def skip(self, participant: str, scenario: str, minutes_ago: float) -> None:
        self.entry(participant, scenario)["status"] = "skipped"
        self.publish(participant, minutes_ago)

    def hint(self, participant: str, scenario: str, n: int, minutes_ago: float) -> None:
        self.entry(participant, scenario)["hintsShown"] += n
        self.publish(participant, minutes_ago)

    def lose_pod(self, participant: str, scenario: str) -> None:
        namespace = self.ns(participant, scenario)
        for pod in self.store.list("pods", namespace)[0]:
            self.store.delete("pods", namespace, pod["metadata"]["name"])

    def tamper(self, participant: str) -> None:
        """Edit the record on the cluster (everything verified) without the key."""
        namespace, name = self.ns(participant, S[0]), progress.configmap_name(LAB.id)
        configmap = self.store.get("configmaps", namespace, name)
        record = json.loads(configmap["data"][progress.DATA_KEY])
        for entry in record["scenarios"]:
            entry["status"] = "verified"
        self.store.update("configmaps", namespace, name, lambda old: {
            **old, "data": {progress.DATA_KEY: json.dumps(record)}})

    def entry(self, participant: str, scenario: str) -> dict:
        return records.entry(self.records[participant], scenario)

    def publish(self, participant: str, minutes_ago: float) -> str:
        record = self.records[participant]
        record["updatedAt"] = iso(self.now, minutes_ago)
        publisher = progress.ProgressPublisher(self.admin, self.ns(participant, S[0]),
                                               key=self.key)
        status = publisher.publish(record)
        assert status == progress.WRITTEN, status
        return status

    # ------------------------------------------------------------------ the schedule

    def steps(self, participant: str, profile: str):
        """The participant's moves, in order (callables)."""
        yield lambda: self.prepare(participant)
        if profile == "fast":
            for i, scenario in enumerate(S):
                start = 50 - 9 * i
                yield lambda s=scenario, t=start: self.deploy(participant, s, t)
                yield lambda s=scenario, t=start: self.answer(participant, s, 0, True, t - 2)
                yield lambda s=scenario, t=start: self.verify(participant, s, t - 5)
        elif profile == "typical":
            for i, scenario in enumerate(S[:2]):
                yield lambda s=scenario, t=45 - 15 * i: self.deploy(participant, s, t)
                yield lambda s=scenario, t=45 - 15 * i: self.answer(participant, s, 1, True, t - 4)
                yield lambda s=scenario, t=45 - 15 * i: self.verify(participant, s, t - 9)
            yield lambda: self.deploy(participant, S[2], 8)
            yield lambda: self.hint(participant, S[2], 1, 3)
            yield lambda: self.answer(participant, S[2], 1, False, 1)
        elif profile == "idle":
            yield lambda: self.deploy(participant, S[0], 55)
            yield lambda: self.answer(participant, S[0], 0, True, 50)
            yield lambda: self.verify(participant, S[0], 40)
            yield lambda: self.deploy(participant, S[1], 25)
        elif profile == "guessing":
            yield lambda: self.deploy(participant, S[0], 40)
            yield lambda: self.answer(participant, S[0], 0, True, 38)
            yield lambda: self.verify(participant, S[0], 30)
            yield lambda: self.deploy(participant, S[1], 9)
            yield lambda: self.answer(participant, S[1], 4, False, 2)
        elif profile == "refused":
            yield lambda: self.deploy(participant, S[0], 20)
            yield lambda: self.answer(participant, S[0], 0, True, 15)
            for n in range(3):
                yield lambda n=n: self.change_deployment(participant, S[0], False, n)
        elif profile == "lost-pod":
            yield lambda: self.deploy(participant, S[0], 6)
            yield lambda: self.lose_pod(participant, S[0])
        elif profile == "gave-up":
            yield lambda: self.deploy(participant, S[0], 40)
            yield lambda: self.skip(participant, S[0], 35)
            yield lambda: self.deploy(participant, S[1], 34)
            yield lambda: self.hint(participant, S[1], 3, 30)
            yield lambda: self.verify(participant, S[1], 20, revealed=True)
            yield lambda: self.deploy(participant, S[2], 4)
        elif profile == "tamperer":
            yield lambda: self.deploy(participant, S[0], 30)
            yield lambda: self.answer(participant, S[0], 1, False, 2)
            yield lambda: self.tamper(participant)

    def play(self, roster: dict[str, str], pause=lambda: None) -> int:
        """Everyone's moves, interleaved round-robin (as a class progresses); returns how many."""
        queues = [iter(list(self.steps(name, profile))) for name, profile in roster.items()]
        done = 0
        while queues:
            for queue in list(queues):
                step = next(queue, None)
                if step is None:
                    queues.remove(queue)
                    continue
                step()
                done += 1
                pause()
        return done


def _with_env(deployment: dict, n: int) -> dict:
    """The Deployment with one more env var: a change that does not fix anything."""
    import copy

    new = copy.deepcopy(deployment)
    container = new["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [*(container.get("env") or []), {"name": f"TRY_{n}", "value": str(n)}]
    return new
