"""kubectl commands worth running next, with the pod, namespace and container filled in."""

from runner.diagnose.events import missing_object_name
from runner.diagnose.podview import ContainerView

_RAN = ("bad_command", "oom_killed", "app_config", "permissions", "liveness_probe",
        "startup_probe", "init_container", "exits_zero", "unknown")


def suggest_commands(cause: str, pod: str | None, namespace: str | None,
                     container: ContainerView | None, messages: list[str]) -> tuple[str, ...]:
    pod_ref = pod or "<pod>"
    ns = f" -n {namespace}" if namespace else ""
    name = container.name if container and container.name else None
    c_flag = f" -c {name}" if name else ""
    commands = [f"kubectl describe pod {pod_ref}{ns}"]
    if cause in _RAN:
        commands.append(f"kubectl logs {pod_ref}{ns}{c_flag} --previous")
    commands.append(f"kubectl get events{ns} --field-selector involvedObject.name={pod_ref} "
                    "--sort-by=.lastTimestamp")
    commands.extend(_specific(cause, pod_ref, ns, namespace, container, name, messages))
    return tuple(dict.fromkeys(commands))


def _spec_path(container: ContainerView | None, name: str | None, field: str) -> str:
    kind = "initContainers" if container and container.init else "containers"
    selector = f'?(@.name=="{name}")' if name else "*"
    return "{.spec.%s[%s].%s}" % (kind, selector, field)


def _jsonpath(pod_ref: str, ns: str, *paths: str) -> str:
    return f"kubectl get pod {pod_ref}{ns} -o jsonpath='" + '{"\\n"}'.join(paths) + "'"


def _specific(cause, pod_ref, ns, namespace, container, name, messages) -> list[str]:
    spec = lambda field: _spec_path(container, name, field)  # noqa: E731
    if cause in ("bad_command", "exits_zero"):
        return [_jsonpath(pod_ref, ns, spec("image"), spec("command"), spec("args")),
                "docker image inspect <image> --format '{{.Config.Entrypoint}} {{.Config.Cmd}}'"]
    if cause == "oom_killed":
        return [_jsonpath(pod_ref, ns, spec("resources")),
                f"kubectl top pod {pod_ref}{ns} --containers"]
    if cause == "liveness_probe":
        return [_jsonpath(pod_ref, ns, spec("livenessProbe"), spec("startupProbe")),
                f"kubectl logs {pod_ref}{ns}{' -c ' + name if name else ''}"]
    if cause == "startup_probe":
        return [_jsonpath(pod_ref, ns, spec("startupProbe"), spec("livenessProbe")),
                f"kubectl logs {pod_ref}{ns}{' -c ' + name if name else ''}"]
    if cause == "init_container":
        return [_jsonpath(pod_ref, ns, "{.spec.initContainers[*].name}",
                          "{.status.initContainerStatuses[*].lastState.terminated}")]
    if cause == "evicted":
        return [_jsonpath(pod_ref, ns, "{.status.reason}", "{.status.message}", "{.spec.nodeName}"),
                "kubectl describe node <node>   # Conditions: MemoryPressure, DiskPressure, PIDPressure",
                f"kubectl get pods{ns} --field-selector=status.phase=Failed"]
    if cause == "quota_limit" and any("exceeded quota" in m.lower() for m in messages):
        return [f"kubectl describe resourcequota{ns}",
                f"kubectl get events{ns} --field-selector reason=FailedCreate",
                f"kubectl describe limitrange{ns}"]
    if cause == "quota_limit":  # a process limit: open files
        return [f"kubectl logs {pod_ref}{ns}{' -c ' + name if name else ''} --previous",
                f"kubectl exec {pod_ref}{ns}{' -c ' + name if name else ''} -- "
                "sh -c 'ulimit -n; ls /proc/1/fd | wc -l'"]
    if cause == "create_container_error":
        return [_jsonpath(pod_ref, ns, spec("volumeMounts"), "{.spec.volumes}"),
                f"kubectl get events{ns} --field-selector involvedObject.name={pod_ref},reason=Failed"]
    if cause == "readiness_probe":
        return [_jsonpath(pod_ref, ns, spec("readinessProbe")),
                f"kubectl get endpoints{ns}"]
    if cause == "permissions":
        return [_jsonpath(pod_ref, ns, "{.spec.securityContext}", spec("securityContext"))]
    if cause == "missing_config":
        objects = [o for o in (missing_object_name(m) for m in messages) if o]
        if objects:
            return [f"kubectl get {obj}{ns}" for obj in dict.fromkeys(objects)]
        return [f"kubectl get configmaps,secrets{ns}"]
    if cause == "image_pull":
        return [_jsonpath(pod_ref, ns, spec("image"), "{.spec.imagePullSecrets}")]
    if cause == "app_config":
        return [_jsonpath(pod_ref, ns, spec("env"), spec("envFrom"))]
    return []
