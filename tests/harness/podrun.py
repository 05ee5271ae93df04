"""One pod's timeline on the test kubelet: schedule, create, run, crash, back off, restart."""

import threading

from . import applog, appmodel, podstatus
from .httpapi import Gone
from .podstatus import EPOCH, backoff_message, container_id, running, terminated, waiting
from .store import now_rfc3339
from .wording import backoff_event

CREATE_SECONDS = 1.0     # image already present -> container created and started
CRASH_SECONDS = 1.0      # start -> a failing startup step exits
OOM_SECONDS = 2.0        # start -> the working set hits the memory limit
MOUNT_RETRY_SECONDS = 8.0
BACKOFF_START, BACKOFF_CAP = 10, 300


class PodRun(threading.Thread):
    """Plays the first container by the lab-app contract; other containers simply run."""

    def __init__(self, kubelet, pod: dict):
        super().__init__(name=f"pod-{pod['metadata']['name']}", daemon=True)
        self.kubelet, self.pod = kubelet, pod
        self.stop = threading.Event()
        self.meta = pod["metadata"]
        self.path = f"/api/v1/namespaces/{self.meta['namespace']}/pods/{self.meta['name']}"
        self.containers = [c["name"] for c in pod["spec"].get("containers") or []]
        self.main = pod["spec"]["containers"][0]
        self.events: dict[tuple[str, str], tuple[str, int]] = {}
        self.status: dict = {}
        self.outcome: appmodel.Outcome | None = None

    def run(self) -> None:
        try:
            self._play()
        except Gone:
            pass  # the pod was deleted: nothing left to report

    # ------------------------------------------------------------------ plumbing

    def _sleep(self, real_seconds: float) -> None:
        if self.stop.wait(real_seconds * self.kubelet.time_scale):
            raise Gone(self.path)

    def _event(self, reason, message, kind="Normal", container=True, component="kubelet"):
        """Post an event, or bump count/lastTimestamp of the same one (as the recorder does)."""
        ns = self.meta["namespace"]
        known = self.events.get((reason, message))
        if known:
            name, count = known
            self.events[(reason, message)] = (name, count + 1)
            self.kubelet.api.merge_patch(f"/api/v1/namespaces/{ns}/events/{name}", {
                "count": count + 1, "lastTimestamp": now_rfc3339()})
            return
        body = podstatus.event(self.pod, reason, message, kind,
                               self.main["name"] if container else None, component)
        self.kubelet.api.call("POST", f"/api/v1/namespaces/{ns}/events", body)
        self.events[(reason, message)] = (body["metadata"]["name"], 1)

    def _write(self, phase: str, main: dict, ready: bool, started: bool) -> None:
        """Put the whole status (lists are replaced by a merge patch, so no stale state)."""
        statuses = [main] + [self._sidecar(name, started) for name in self.containers[1:]]
        self.status.update({
            "phase": phase, "containerStatuses": statuses,
            "conditions": podstatus.conditions(ready, started, self.containers, now_rfc3339()),
        })
        if self.stop.is_set():
            raise Gone(self.path)
        self.kubelet.api.merge_patch(self.path + "/status", {"status": self.status})

    def _sidecar(self, name: str, started: bool) -> dict:
        image, image_id = podstatus.image_ref(self.main.get("image", ""))
        state = running(self.status["startTime"]) if started else waiting("ContainerCreating")
        return {"name": name, "image": image, "imageID": image_id if started else "",
                "ready": started, "started": started, "restartCount": 0, "state": state,
                "lastState": {}, **({"containerID": container_id()} if started else {})}

    def _container(self, state: dict, last: dict | None, restarts: int, ready: bool,
                   started: bool, cid: str | None) -> dict:
        image, image_id = podstatus.image_ref(self.main.get("image", ""))
        status = {"name": self.main["name"], "image": image,
                  "imageID": image_id if cid else "", "ready": ready, "started": started,
                  "restartCount": restarts, "state": state, "lastState": last or {}}
        if cid:
            status["containerID"] = cid
        return status

    def _set_log(self, current: str | None, previous: str | None) -> None:
        self.kubelet.emulator.set_log(self.meta["namespace"], self.meta["name"],
                                      self.main["name"], current, previous)

    # ------------------------------------------------------------------ timeline

    def _play(self) -> None:
        ns, name, c = self.meta["namespace"], self.meta["name"], self.main["name"]
        self._event("Scheduled", f"Successfully assigned {ns}/{name} to {podstatus.NODE}",
                    container=False, component="default-scheduler")
        ip = self.kubelet.next_ip()
        self.kubelet.api.merge_patch(self.path, {"spec": {"nodeName": podstatus.NODE}})
        self.status = {"hostIP": podstatus.HOST_IP, "hostIPs": [{"ip": podstatus.HOST_IP}],
                       "startTime": now_rfc3339(), "qosClass":
                       (self.pod.get("status") or {}).get("qosClass", "BestEffort")}
        self._write("Pending", self._container(waiting("ContainerCreating"), None, 0, False,
                                               False, None), False, False)
        play = self.kubelet.special_play(self.pod)  # init container, startup probe, eviction...
        if play is not None:
            return play(self)
        outcome = self._predict()
        while outcome.kind == "mount-error":  # retried until the ConfigMap appears
            self._event("FailedMount", outcome.message, "Warning", container=False)
            self._sleep(MOUNT_RETRY_SECONDS)
            outcome = self._predict()
        self.status.update({"podIP": ip, "podIPs": [{"ip": ip}]})
        self._sleep(CREATE_SECONDS)
        image = self.main.get("image", "")
        pulled = f'Container image "{image}" already present on machine'
        while outcome.kind == "config-error":
            self._event("Pulled", pulled)
            self._event("Failed", f"Error: {outcome.message}", "Warning")
            self._write("Pending", self._container(waiting(
                "CreateContainerConfigError", outcome.message), None, 0, False, False,
                None), False, True)
            self._sleep(BACKOFF_START)
            outcome = self._predict()
        self._crash_loop(outcome, pulled, c)

    def _predict(self) -> appmodel.Outcome:
        ns = self.meta["namespace"]
        self.outcome = appmodel.predict(self.pod, self.main,
                                        lambda name: self.kubelet.configmap(ns, name),
                                        self.kubelet.view(ns))
        return self.outcome

    def _crash_loop(self, outcome, pulled: str, c: str) -> None:
        restarts, last, previous_log = 0, None, None
        while True:
            cid = container_id()
            self._event("Pulled", pulled)
            self._event("Created", self.kubelet.wording.created_message(c))
            if outcome.kind == "start-error":
                self._event("Failed", f"Error: {outcome.message}", "Warning")
                last = terminated("StartError", 128, EPOCH, cid, outcome.message)
                self._set_log("", previous_log)
                self._write("Running", self._container(waiting(
                    "RunContainerError", outcome.message), last, restarts, False, True, cid),
                    False, True)
                previous_log = ""
            else:
                started_at = now_rfc3339()
                self._event("Started", self.kubelet.wording.started_message(c))
                self._set_log(outcome.log, previous_log)
                self._write("Running", self._container(running(started_at), last, restarts,
                                                       outcome.ready, True, cid),
                            outcome.ready, True)
                log = self._run(outcome, c, previous_log)
                last = terminated(outcome.reason, outcome.exit_code, started_at, cid)
                self._set_log(log, previous_log)
                self._write("Running", self._container(last, _last_of(self.status), restarts,
                                                       False, False, cid), False, True)
                previous_log = log
            if restarts > 0:
                delay = min(self.kubelet.backoff_cap, BACKOFF_START * 2 ** (restarts - 1))
                self._write("Running", self._container(waiting(
                    "CrashLoopBackOff", backoff_message(delay, c, self.pod)), last, restarts,
                    False, False, cid), False, True)
                self._event("BackOff", backoff_event(c, self.pod), "Warning")
                self._sleep(delay)
            restarts += 1
            if outcome.extra.get("reconnects"):
                outcome = self._predict()

    def _run(self, outcome, c: str, previous_log: str | None) -> str:
        """Let the container run until it ends; returns its full log."""
        if outcome.kind == "healthy":
            while True:
                if outcome.readiness_detail:
                    self._event("Unhealthy", f"Readiness probe failed: "
                                f"{outcome.readiness_detail}", "Warning")
                self._sleep(10)
        if outcome.kind == "oom":
            self._sleep(OOM_SECONDS)
            return outcome.log
        if outcome.kind != "liveness":
            self._sleep(max(CRASH_SECONDS, outcome.crash_after))
            return outcome.log
        log = outcome.log
        self._sleep(outcome.probe_delay)
        for _ in range(outcome.probe_failures):
            self._sleep(outcome.probe_period)
            if "statuscode" in outcome.probe_detail:
                log += applog.request(outcome.probe_path, 404)
                self._set_log(log, previous_log)
            self._event("Unhealthy", f"Liveness probe failed: {outcome.probe_detail}",
                        "Warning")
        self._event("Killing", f"Container {c} failed liveness probe, will be restarted")
        return log


def _last_of(status: dict) -> dict | None:
    statuses = status.get("containerStatuses") or [{}]
    return statuses[0].get("lastState") or None

