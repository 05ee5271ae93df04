"""`crashlab cluster up|down|status`: the kind cluster (or any context) the lab runs on."""

import time
from contextlib import contextmanager

from runner.cli.env import Environment
from runner.errors import EXIT_CLUSTER, EXIT_ENVIRONMENT, ClusterError

KUBECTL_ONLY = ("kubectl",)


def register(subparsers) -> None:
    parser = subparsers.add_parser("cluster",
                                   description="The cluster the lab runs on: a kind cluster "
                                   "by default, or any kubeconfig context with --context.")
    parser.set_defaults(func=lambda args, env: _print_help(parser, env))
    commands = parser.add_subparsers(dest="cluster_command", metavar="COMMAND")
    _register_up(commands)
    _register_down(commands)
    _register_status(commands)


def _register_up(commands) -> None:
    up = commands.add_parser("up", help="create or reuse the kind cluster and load the lab image",
                             description="Check Docker, kind and kubectl; create the kind "
                             "cluster (or reuse it); build the lab image and load it.")
    _add_name(up)
    up.add_argument("--image", help="lab image (default crashlab/lab-app:0.1.0); "
                    "with --context it must be pullable by that cluster")
    up.add_argument("--context", help="use this kubeconfig context instead of kind "
                    "(no Docker or kind needed)")
    up.add_argument("--no-build", action="store_true",
                    help="do not build the image; load the one Docker already has")
    up.add_argument("--base-image", metavar="IMAGE",
                    help="base image for the build (docker build --build-arg BASE=IMAGE)")
    up.add_argument("--wait", default=None, metavar="DURATION",
                    help="how long kind waits for the control plane (default 120s)")
    up.add_argument("--yes", action="store_true",
                    help="download kind/kubectl without asking when they are missing or too old")
    up.add_argument("--kit", metavar="DIR",
                    help="a classroom kit folder or .tar (`crashlab workshop kit`; a .tar is "
                    "unpacked beside itself): check it, load its "
                    "images and install its kind and kubectl; nothing is downloaded")
    up.set_defaults(func=cmd_up)


def _register_down(commands) -> None:
    down = commands.add_parser("down", help="delete the kind cluster (only one crashlab created)")
    _add_name(down)
    down.set_defaults(func=cmd_down)


def _register_status(commands) -> None:
    status = commands.add_parser("status", help="tools, cluster and API reachability, quickly")
    _add_name(status)
    status.add_argument("--context", help="check this kubeconfig context instead of kind")
    status.set_defaults(func=cmd_status)


def _add_name(parser) -> None:
    parser.add_argument("--name", default="crashlab", help="kind cluster name (default crashlab)")


def _print_help(parser, env: Environment) -> int:
    parser.print_help(env.stdout)
    return 2


class StepPrinter:
    """Shows each step and how long it took: a spinner on a terminal, plain lines otherwise."""

    def __init__(self, env: Environment):
        self.env = env
        self.console = env.console() if env.stdout_is_terminal else None

    @contextmanager
    def __call__(self, label: str):
        from runner.kind import StepNote

        note, started = StepNote(), time.monotonic()
        try:
            if self.console is None:
                self.env.out(f"{label} ...")
                yield note
            else:
                with self.console.status(f"{label} ..."):
                    yield note
        except BaseException:
            self._finish(label, "failed", started, ok=False)
            raise
        self._finish(label, note.text or "done", started, ok=True)

    def _finish(self, label: str, outcome: str, started: float, ok: bool) -> None:
        line = f"{label}: {outcome} ({time.monotonic() - started:.1f}s)"
        if self.console is None:
            self.env.out(line)
        else:
            self.console.print(("✓ " if ok else "✗ ") + line)


def _preflight(env: Environment, tools, step, offer: bool | None = None) -> int | None:
    """Run preflight; print each problem on its own error line. Returns an exit code on failure.

    With `offer` set (True: --yes), missing kind/kubectl may be downloaded first.
    """
    from runner.kind import PreflightFailed, preflight

    try:
        if offer is not None:
            from runner.cli.tools_offer import preflight_with_offer

            report = preflight_with_offer(env, tools, step, yes=offer)
        else:
            with step(f"Checking {', '.join(tools)}") as note:
                report = preflight(env.environ, tools)
                note.text = ", ".join(f"{c.tool} {c.version}" for c in report.checks)
    except PreflightFailed as failed:
        if env.debug:
            raise
        _print_problems(env, failed.problems)
        return EXIT_ENVIRONMENT
    for check in report.checks:
        if check.warning:
            env.err(f"crashlab: warning: {check.warning}")
    return None


def _print_problems(env: Environment, problems: list[str]) -> None:
    for line in problems:
        env.err(f"crashlab: error: {line}")


def ping_api(context: str, kubeconfig: str) -> tuple[bool, str]:
    """Ask the API server of `context` for its version through runner.cluster.ping.

    `kubeconfig` is the Environment's (its $KUBECONFIG, else ~/.kube/config), the
    same file kind and kubectl were pointed at.

    Returns (True, text) when it answered, (False, why) when it did not.
    """
    from runner.cluster import ping

    try:
        return True, f"reachable, Kubernetes {ping(context, kubeconfig)}"
    except ClusterError as problem:
        return False, str(problem)


def cmd_up(args, env: Environment) -> int:
    from runner.kind import DEFAULT_WAIT, LAB_IMAGE, check_cluster_name, check_wait

    image = args.image or LAB_IMAGE
    step = StepPrinter(env)
    if args.context:
        return _up_on_context(args.context, image, bool(args.image), env, step)
    check_cluster_name(args.name)
    wait = check_wait(args.wait or DEFAULT_WAIT)
    return _up_on_kind(args, image, wait, env, step)


def _up_on_context(context: str, image: str, image_given: bool, env: Environment, step) -> int:
    failed = _preflight(env, KUBECTL_ONLY, step)
    if failed:
        return failed
    _check_api(context, env, step)
    if not image_given:
        env.err(f"crashlab: warning: no --image given: the cluster behind {context!r} must be "
                f"able to pull {image}")
    env.out(f"Ready: context {context}, lab image {image}")
    return 0


def _up_on_kind(args, image: str, wait: str, env: Environment, step) -> int:
    from runner.kind import ensure_lab_cluster

    node_image, build = None, not args.no_build
    if getattr(args, "kit", None):
        from pathlib import Path

        from runner.cli.kit_cmds import prepare_from_kit

        node_image, build = prepare_from_kit(env, Path(args.kit), step), False
    failed = _preflight(env, ("docker", "kind", "kubectl"), step, offer=args.yes)
    if failed:
        return failed
    cluster = ensure_lab_cluster(args.name, image, env.environ, wait=wait, build=build,
                                 base=args.base_image, step=step,
                                 **({"node_image": node_image} if node_image else {}))
    if not cluster.owned:
        env.err(f"crashlab: warning: kind cluster {cluster.name!r} was not created by crashlab; "
                "using it, but `crashlab cluster down` will not delete it")
    _check_api(cluster.context, env, step)
    env.out(f"Ready: context {cluster.context}, lab image {image}")
    return 0


def _check_api(context: str, env: Environment, step) -> None:
    with step(f"Checking the Kubernetes API of {context!r}") as note:
        reachable, text = ping_api(context, env.kubeconfig)
        if reachable is False:
            raise ClusterError(f"the API server of context {context!r} did not answer ({text}): "
                               "check `kubectl cluster-info --context " + context + "`")
        note.text = text


def cmd_down(args, env: Environment) -> int:
    from runner.kind import check_cluster_name, delete_cluster

    check_cluster_name(args.name)
    step = StepPrinter(env)
    failed = _preflight(env, ("docker", "kind"), step)
    if failed:
        return failed
    if delete_cluster(args.name, environ=env.environ, step=step):
        env.out(f"Deleted kind cluster {args.name!r}")
    else:
        env.out(f"No kind cluster named {args.name!r}: nothing to delete")
    return 0


def cmd_status(args, env: Environment) -> int:
    from runner.kind import check_tools, context_name

    tools = KUBECTL_ONLY if args.context else ("docker", "kind", "kubectl")
    report = check_tools(env.environ, tools)
    for check in report.checks:
        state = check.version or "not usable"
        env.out(f"{check.tool:<9} {state}" + ("" if check.ok or not check.version
                                               else " (not usable)"))
        if check.warning:
            env.out(f"{'':<9} note: {check.warning}")
    code, context = None, args.context
    if not context and report.version("docker") and report.version("kind"):
        code = _status_of_kind(args.name, env)
        context = None if code else context_name(args.name)
    if context and report.version("kubectl"):
        code = _status_of_api(context, env)
    if not report.ok:
        _print_problems(env, report.problems)
        return EXIT_ENVIRONMENT
    return code or 0


def _status_of_kind(name: str, env: Environment) -> int | None:
    from runner.kind import check_cluster_name, is_lab_cluster, list_clusters

    check_cluster_name(name)
    if name not in list_clusters(env.environ):
        env.out(f"{'cluster':<9} {name}: not found")
        env.err(f"crashlab: error: kind cluster {name!r} does not exist: run "
                "`crashlab cluster up`")
        return EXIT_CLUSTER
    owner = "created by crashlab" if is_lab_cluster(name, env.environ) else \
        "not created by crashlab (`cluster down` will refuse it)"
    env.out(f"{'cluster':<9} {name} (kind, {owner})")
    return None


def _status_of_api(context: str, env: Environment) -> int | None:
    from runner.kind import check_api

    env.out(f"{'context':<9} {context}")
    api = check_api(context, env.environ)
    env.out(f"{'api':<9} " + (f"reachable, Kubernetes {api.version}" if api.ok else "not reachable"))
    if not api.ok:
        env.err(f"crashlab: error: {api.problem}")
        return EXIT_CLUSTER
    return None
