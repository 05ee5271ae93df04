"""Read-only views over a pod dict (camelCase, as `kubectl get pod -o json` prints it)."""


# Waiting reasons that mean "this container is in trouble", not "still starting".
TROUBLE_WAITING = frozenset({
    "CrashLoopBackOff", "RunContainerError", "CreateContainerConfigError",
    "CreateContainerError", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
    "ErrImageNeverPull", "StartError", "ContainerCannotRun", "PreStartHookError",
    "PostStartHookError",
})


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def as_int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ContainerView:
    """One container's status and spec, with the dotted path evidence lines use.

    Fields are read once here: diagnose() looks at them many times per pod.
    """

    __slots__ = ("name", "index", "init", "status", "spec", "state", "last_state", "waiting",
                 "running", "terminated", "last_terminated", "restart_count", "ready",
                 "waiting_reason", "trouble")

    def __init__(self, name: str | None, index: int, init: bool, status: dict, spec: dict):
        self.name, self.index, self.init, self.status, self.spec = name, index, init, status, spec
        self.state = as_dict(status.get("state"))
        self.last_state = as_dict(status.get("lastState"))
        self.waiting = as_dict(self.state.get("waiting"))
        self.running = as_dict(self.state.get("running"))
        self.terminated = as_dict(self.state.get("terminated"))
        self.last_terminated = as_dict(self.last_state.get("terminated"))
        self.restart_count = as_int(status.get("restartCount"))
        ready = status.get("ready")
        self.ready = ready if isinstance(ready, bool) else None
        self.waiting_reason = str(self.waiting.get("reason") or "")
        self.trouble = self._trouble()

    def __repr__(self) -> str:
        return f"ContainerView({self.path})"

    @property
    def path(self) -> str:
        field = "initContainerStatuses" if self.init else "containerStatuses"
        return f"status.{field}[{self.name if self.name else self.index}]"

    def terminations(self):
        """(field path, terminated dict) for the current then the last termination."""
        if self.terminated:
            yield "state.terminated", self.terminated
        if self.last_terminated:
            yield "lastState.terminated", self.last_terminated

    def _trouble(self) -> int:
        """How strongly this container looks like the one in trouble (0 = healthy)."""
        score = 0
        if self.waiting_reason in TROUBLE_WAITING:
            score += 100
        term = self.terminated
        if term and (term.get("reason") not in (None, "Completed") or as_int(term.get("exitCode")) != 0):
            score += 90
        if term and not self.init and term.get("reason") == "Completed":
            score += 40
        if self.restart_count:
            score += 50 + min(self.restart_count, 40)
        if self.ready is False and self.running:
            score += 20
        if score and self.init:
            score += 5  # a failing init container blocks every app container
        return score


def list_containers(pod: dict | None) -> list[ContainerView]:
    """Init containers first, then app containers; spec-only ones when status is absent."""
    pod = as_dict(pod)
    spec, status = as_dict(pod.get("spec")), as_dict(pod.get("status"))
    views: list[ContainerView] = []
    for init, status_key, spec_key in ((True, "initContainerStatuses", "initContainers"),
                                       (False, "containerStatuses", "containers")):
        specs = {_text(c.get("name")): c for c in _dicts(spec.get(spec_key)) if _text(c.get("name"))}
        seen = set()
        for index, cstatus in enumerate(_dicts(status.get(status_key))):
            name = _text(cstatus.get("name"))
            seen.add(name)
            views.append(ContainerView(name, index, init, cstatus, specs.get(name, {})))
        for index, (name, cspec) in enumerate(specs.items()):
            if name not in seen:
                views.append(ContainerView(name, index, init, {}, cspec))
    return views


def pick_container(views: list[ContainerView], event_weight: dict | None = None) -> ContainerView | None:
    """The container most in trouble; ties go to the first (init containers come first)."""
    if not views:
        return None
    event_weight = event_weight or {}
    return max(views, key=lambda v: (v.trouble + event_weight.get(v.name, 0), -views.index(v)))


def pod_name(pod: dict | None) -> str | None:
    return _text(as_dict(as_dict(pod).get("metadata")).get("name"))


def pod_namespace(pod: dict | None) -> str | None:
    return _text(as_dict(as_dict(pod).get("metadata")).get("namespace"))


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def memory_limit(view: ContainerView | None) -> str | None:
    if view is None:
        return None
    limits = as_dict(as_dict(view.spec.get("resources")).get("limits"))
    memory = limits.get("memory")
    return str(memory) if memory is not None and not isinstance(memory, (dict, list)) else None


def _dicts(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
