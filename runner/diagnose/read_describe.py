"""`kubectl describe pod` text -> a pod dict (camelCase, like `-o json`).

Copes with what people paste: the whole output, only one container's block,
flattened indentation, tabs from old kubectl, and text cut off mid-line.
Events rows are read separately (read_tables.parse_event_row).
"""

import re
from datetime import datetime, timezone

_KEY = re.compile(r"^(\s*)([A-Za-z][\w .()/-]*?):(?:[ \t]+(.*?))?\s*$")
_CONTAINER_NAME = re.compile(r"^(\s*)([a-z0-9]([-a-z0-9.]*[a-z0-9])?):\s*$")

POD_KEYS = {"Name", "Namespace", "Priority", "Priority Class Name", "Service Account", "Node",
            "Start Time", "Labels", "Annotations", "Status", "IP", "IPs", "Controlled By",
            "QoS Class", "Node-Selectors", "Tolerations", "Nominated Node Name",
            "Runtime Class Name", "Volumes", "Conditions", "Events"}
CONTAINER_KEYS = {"Container ID", "Image", "Image ID", "Port", "Ports", "Host Port", "Host Ports",
                  "Command", "Args", "State", "Last State", "Ready", "Restart Count", "Limits",
                  "Requests", "Liveness", "Readiness", "Startup", "Environment",
                  "Environment Variables from", "Mounts", "SeccompProfile"}
STATE_KEYS = {"Reason", "Message", "Exit Code", "Signal", "Started", "Finished"}
SECTION_KEYS = {"Containers", "Init Containers", "Ephemeral Containers"}
_ALL_KEYS = POD_KEYS | CONTAINER_KEYS | STATE_KEYS | SECTION_KEYS | {"cpu", "memory",
                                                                     "ephemeral-storage"}
KNOWN_REASONS = ("CrashLoopBackOff", "OOMKilled", "StartError", "ContainerCannotRun",
                 "RunContainerError", "CreateContainerConfigError", "CreateContainerError",
                 "ErrImagePull", "ImagePullBackOff", "Completed", "Error", "ContainerCreating",
                 "PodInitializing", "InvalidImageName")


def parse_describe(text: str) -> tuple[dict | None, int]:
    """The pod described in `text` and the index of the last line that belonged to it.

    Returns (None, -1) when no describe-shaped line was found.
    """
    parser = _DescribeParser(text.splitlines())
    parser.run()
    return parser.result(), parser.last_line


class _DescribeParser:
    def __init__(self, lines: list[str]):
        self.lines = [line.replace("\t", "    ") for line in lines]
        self.metadata: dict = {}
        self.pod_status: dict = {}
        self.containers: dict[str, list[dict]] = {"init": [], "app": []}
        self.section = "pod"
        self.current: dict | None = None
        self.sub: str | None = None
        self.last_key: str | None = None
        self.last_line = -1
        self.found = False

    # ---- walking -----------------------------------------------------------------------
    def run(self) -> None:
        last_text = max((i for i, line in enumerate(self.lines) if line.strip()), default=-1)
        for index, line in enumerate(self.lines):
            if not line.strip():
                continue
            self.cut_off = index == last_text
            if self._line(index, line):
                self.last_line = index

    def _line(self, index: int, line: str) -> bool:
        if self.section == "events":
            return False
        name_match = _CONTAINER_NAME.match(line)
        if name_match and self._is_container_name(index, name_match):
            self._start_container(name_match.group(2))
            return True
        match = _KEY.match(line)
        key, value = (match.group(2).strip(), (match.group(3) or "").strip()) if match else (None, "")
        if key in SECTION_KEYS:
            self.section = "init" if key.startswith("Init") else "app"
            self.current, self.sub = None, None
            return self._mark()
        if key == "Events":
            self.section = "events"
            return self._mark()
        if key in ("Conditions", "Volumes", "QoS Class", "Node-Selectors", "Tolerations"):
            self.section, self.current, self.sub = "other", None, None
            return self._mark()
        if self.section == "other":
            return True
        if self.sub in ("command", "args") and key not in CONTAINER_KEYS and self.current is not None:
            self.current["spec"].setdefault(self.sub, []).append(line.strip())
            return True
        if key is None or (key not in _ALL_KEYS and self.last_key == "Message"):
            return self._continuation(line)
        return self._key(key, value)

    def _mark(self) -> bool:
        self.found = True
        return True

    def _is_container_name(self, index: int, match) -> bool:
        if match.group(2) in ("cpu", "memory"):
            return False
        following = next((l.strip() for l in self.lines[index + 1:index + 3] if l.strip()), "")
        if following.startswith(("Container ID:", "Image:")):
            return True
        return self.section in ("init", "app") and len(match.group(1)) == 2 and self.sub is None

    def _start_container(self, name: str | None) -> None:
        self.current = {"status": {"name": name} if name else {}, "spec": {"name": name} if name else {}}
        self.containers["init" if self.section == "init" else "app"].append(self.current)
        if self.section not in ("init", "app"):
            self.section = "app"
        self.sub = None
        self.found = True

    def _ensure_container(self) -> dict:
        if self.current is None:
            self._start_container(None)
        return self.current

    # ---- keys --------------------------------------------------------------------------
    def _key(self, key: str, value: str) -> bool:
        self.last_key = key
        if key in STATE_KEYS and self.sub in ("state", "lastState"):
            self._state_field(key, value)
            return True
        if key in CONTAINER_KEYS or (key in STATE_KEYS and self.current is not None):
            return self._container_field(key, value)
        if key in ("cpu", "memory", "ephemeral-storage") and self.sub in ("limits", "requests"):
            resources = self.current["spec"].setdefault("resources", {})
            resources.setdefault(self.sub, {})[key] = value
            return True
        if self.sub in ("env", "mounts") and self.current is not None:
            return True
        if self.section == "pod" and self.current is None:
            return self._pod_field(key, value)
        return False

    def _pod_field(self, key: str, value: str) -> bool:
        if key == "Name" and value and "name" not in self.metadata:
            self.metadata["name"] = value
        elif key == "Namespace" and value:
            self.metadata["namespace"] = value
        elif key == "Status" and value:
            self.pod_status["phase"] = value
        elif key in ("Reason", "Message") and value:
            self.pod_status[key.lower()] = value
        elif key == "Node" and value:
            self.metadata["_node"] = value.split("/")[0]
        elif key not in POD_KEYS:
            return False
        return self._mark()

    def _container_field(self, key: str, value: str) -> bool:
        if self.current is None and not _starts_container_block(key, value):
            return False
        container = self._ensure_container()
        status, spec = container["status"], container["spec"]
        self.sub = None
        if key in ("State", "Last State"):
            self.sub = "state" if key == "State" else "lastState"
            kind = _complete(value, ("Waiting", "Running", "Terminated"), self.cut_off).lower()
            if kind in ("waiting", "running", "terminated"):
                status[self.sub] = {kind: {}}
            else:
                status.setdefault(self.sub, {})
        elif key in STATE_KEYS:
            self.sub = "state"
            status.setdefault("state", {})
            self._state_field(key, value)
        elif key == "Ready":
            status["ready"] = value.lower() == "true"
        elif key == "Restart Count":
            if value.isdecimal():
                status["restartCount"] = int(value)
        elif key == "Image":
            spec["image"] = status["image"] = value
        elif key == "Container ID":
            status["containerID"] = value
        elif key == "Image ID":
            status["imageID"] = value
        elif key in ("Limits", "Requests"):
            self.sub = key.lower()
            if value:
                self._inline_resources(spec, self.sub, value)
        elif key in ("Liveness", "Readiness", "Startup"):
            spec[key.lower() + "Probe"] = parse_probe(value)
        elif key in ("Command", "Args"):
            self.sub = key.lower()
            if value:
                spec.setdefault(self.sub, []).append(value)
        elif key in ("Environment", "Mounts", "Environment Variables from"):
            self.sub = "env" if key.startswith("Env") else "mounts"
        self.found = True
        return True

    def _state_field(self, key: str, value: str) -> None:
        state = self.current["status"].setdefault(self.sub, {})
        if not state:
            state["terminated" if key in ("Exit Code", "Finished", "Signal") else "waiting"] = {}
        body = next(iter(state.values()))
        if key == "Reason":
            body["reason"] = _complete(value, KNOWN_REASONS, self.cut_off)
        elif key == "Message":
            body["message"] = value
        elif key == "Exit Code":
            if value.lstrip("-").isdecimal():
                body["exitCode"] = int(value)
        elif key == "Signal":
            if value.isdecimal():
                body["signal"] = int(value)
        elif key in ("Started", "Finished"):
            body["startedAt" if key == "Started" else "finishedAt"] = parse_describe_time(value)

    def _continuation(self, line: str) -> bool:
        """A wrapped `Message:` value, or an Environment/Mounts entry."""
        if self.current is None:
            return False
        if self.last_key == "Message" and self.sub in ("state", "lastState"):
            body = next(iter(self.current["status"].get(self.sub, {}).values()), None)
            if isinstance(body, dict) and "message" in body:
                body["message"] = f"{body['message']}\n{line.strip()}"
                return True
        return self.sub in ("env", "mounts")

    @staticmethod
    def _inline_resources(spec: dict, which: str, value: str) -> None:
        for part in value.split(","):
            name, _, amount = part.partition(":")
            if amount.strip():
                spec.setdefault("resources", {}).setdefault(which, {})[name.strip()] = amount.strip()

    # ---- result ------------------------------------------------------------------------
    def result(self) -> dict | None:
        has_containers = any(self.containers.values())
        if not self.found or not (has_containers or ("name" in self.metadata and len(self.metadata)
                                                      + len(self.pod_status) > 1)):
            return None
        status = dict(self.pod_status)
        spec: dict = {}
        for group, status_key, spec_key in (("init", "initContainerStatuses", "initContainers"),
                                            ("app", "containerStatuses", "containers")):
            entries = self.containers[group]
            if entries:
                status[status_key] = [entry["status"] for entry in entries]
                spec[spec_key] = [entry["spec"] for entry in entries if entry["spec"]]
        metadata = {k: v for k, v in self.metadata.items() if not k.startswith("_")}
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}
        if "_node" in self.metadata:
            spec["nodeName"] = self.metadata["_node"]
        return pod


def _starts_container_block(key: str, value: str) -> bool:
    """Keys that open a container block even when its name line was not pasted."""
    if key in ("State", "Last State"):
        return value.split(" ")[0] in ("Waiting", "Running", "Terminated") or not value
    if key in ("Exit Code", "Restart Count"):
        return value.lstrip("-").isdecimal()
    return key in ("Container ID", "Image ID")


def parse_probe(text: str) -> dict:
    """`http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`."""
    probe: dict = {"description": text}
    http = re.match(r"http-get\s+(https?)://([^:/\s]*):?([\w-]*)(/\S*)?", text)
    if http:
        probe["httpGet"] = {"scheme": http.group(1).upper(), "port": _port(http.group(3)),
                            "path": http.group(4) or "/"}
    elif text.startswith("tcp-socket"):
        port = re.search(r":([\w-]+)", text)
        probe["tcpSocket"] = {"port": _port(port.group(1)) if port else None}
    elif text.startswith("exec"):
        command = re.search(r"\[(.*?)\]", text)
        probe["exec"] = {"command": command.group(1).split() if command else []}
    for name, field in (("delay", "initialDelaySeconds"), ("timeout", "timeoutSeconds"),
                        ("period", "periodSeconds")):
        found = re.search(rf"\b{name}=(\d+)s", text)
        if found:
            probe[field] = int(found.group(1))
    for name, field in (("success", "successThreshold"), ("failure", "failureThreshold")):
        found = re.search(rf"#{name}=(\d+)", text)
        if found:
            probe[field] = int(found.group(1))
    return probe


def _port(value: str):
    return int(value) if value.isdecimal() else (value or None)


def parse_describe_time(value: str) -> str:
    """`Thu, 01 Jan 1970 00:00:00 +0000` -> `1970-01-01T00:00:00Z`; unknown shapes kept as is."""
    for fmt in ("%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %Z", "%Y-%m-%dT%H:%M:%SZ",
                "%Y-%m-%d %H:%M:%S %z %Z", "%Y-%m-%d %H:%M:%S %z"):
        try:
            parsed = datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _complete(value: str, choices, cut_off: bool) -> str:
    """Finish a word cut off by the end of the paste (`OOMKil` -> `OOMKilled`)."""
    if value in choices or not cut_off or len(value) < 3:
        return value
    matches = [choice for choice in choices if choice.startswith(value)]
    return matches[0] if len(matches) == 1 else value
