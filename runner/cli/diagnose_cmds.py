"""`crashlab diagnose` (the flowchart on a pod, live or from pasted output) and
`crashlab observe` (the workshop's three KQL queries, locally or as KQL)."""

from runner.errors import InputError, UsageError

_EXAMPLES = """examples:
  crashlab diagnose web-5d9c -n shop             live, from the lab's cluster (or --context)
  kubectl describe pod web-5d9c | crashlab diagnose -f -
  crashlab diagnose -f pod.yaml --previous-logs crash.log -o json
"""


def register(subparsers) -> None:
    import argparse

    diagnose = subparsers.add_parser(
        "diagnose",
        description="Run the CrashLoopBackOff flowchart on a live pod, or offline on what "
        "kubectl printed (describe, get -o yaml/json, get pods/events rows, logs).",
        epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    diagnose.add_argument("pod", nargs="?", metavar="POD", help="pod name (live diagnosis)")
    diagnose.add_argument("-f", "--file", metavar="FILE",
                          help="kubectl output or logs to read ('-' for stdin)")
    diagnose.add_argument("--events", metavar="FILE", help="events (kubectl get events / describe rows)")
    diagnose.add_argument("--logs", metavar="FILE", help="output of kubectl logs")
    diagnose.add_argument("--previous-logs", metavar="FILE", help="output of kubectl logs --previous")
    diagnose.add_argument("-n", "--namespace", help="namespace of POD (default: default)")
    diagnose.add_argument("--context", help="kubeconfig context (default: kind-crashlab, the lab's cluster)")
    diagnose.add_argument("-c", "--container", help="judge this container, not the one most in trouble")
    diagnose.add_argument("-o", "--output", choices=("text", "json"), default="text")
    diagnose.set_defaults(func=run_diagnose)

    observe = subparsers.add_parser(
        "observe",
        description="The workshop's three Log Analytics queries: run locally against the cluster "
        "(or a saved `kubectl get pods,events -A -o yaml`), or printed as KQL with --kql.")
    observe.add_argument("--kql", action="store_true", help="print the KQL queries instead")
    observe.add_argument("--cluster-name", metavar="NAME", help="ClusterName in Log Analytics (with --kql)")
    observe.add_argument("--since", metavar="SPAN", help="time window, e.g. 30m, 1h, 1d "
                         "(default: 1h for restarts, 1d for the others, as in the workshop)")
    observe.add_argument("--min-restarts", type=int, default=5, metavar="N",
                         help="report containers with more than N restarts (default 5)")
    observe.add_argument("-f", "--file", metavar="FILE", help="pods and events as YAML/JSON ('-' for stdin)")
    observe.add_argument("--context", help="kubeconfig context (default: kind-crashlab, the lab's cluster)")
    observe.add_argument("-o", "--output", choices=("text", "json"), default="text")
    observe.set_defaults(func=run_observe)


# ---- diagnose -------------------------------------------------------------------------------

def run_diagnose(args, env) -> int:
    from runner.diagnose import diagnose

    offline = any((args.file, args.events, args.logs, args.previous_logs))
    if args.pod and args.file:
        raise UsageError("give either a POD name (live) or -f FILE (offline), not both")
    if not args.pod and not offline:
        raise UsageError("give a POD name for a live diagnosis, or -f FILE ('-' for stdin) "
                         "with what kubectl printed")
    if args.pod and not args.file:
        pod, events, logs, previous = _read_live(args, env)
        pod, events, logs, previous = _add_files(args, env, pod, events, logs, previous)
    else:
        pod, events, logs, previous = _add_files(args, env, None, [], None, None)
    result = diagnose(pod, events, logs=logs, previous_logs=previous, container=args.container)
    if args.output == "json":
        import json

        env.out(json.dumps(result.to_dict(), indent=2))
    else:
        _print_panel(env, result)
    return 0


def _add_files(args, env, pod, events, logs, previous):
    from runner.diagnose.readers import read_all, read_events_text

    if args.file:
        pod, file_events, logs, previous = read_all(_read_text(args.file, env), _name(args.file))
        events = list(events) + file_events
    if args.events:
        events = list(events) + read_events_text(_read_text(args.events, env), _name(args.events))
    if args.logs:
        logs = _read_text(args.logs, env, allow_empty=True, logs=True) or logs
    if args.previous_logs:
        previous = _read_text(args.previous_logs, env, allow_empty=True, logs=True) or previous
    return pod, events, logs, previous


def _read_live(args, env):
    """Pod, its events and logs from the cluster (runner.cluster, imported only here)."""
    from runner.cli.env import connect
    from runner.diagnose.podview import list_containers, pick_container

    namespace = args.namespace or "default"
    cluster = connect(env, args.context, ping=False)
    try:
        pod = cluster.get_pod(namespace, args.pod)
        if pod is None:
            raise InputError(f"pod {args.pod} not found in namespace {namespace}: check the name "
                             f"with kubectl get pods -n {namespace}")
        events = cluster.list_pod_events(namespace, args.pod)
        view = pick_container(list_containers(pod))
        container = args.container or (view.name if view else None)
        logs = cluster.read_logs(namespace, args.pod, container, previous=False)
        previous = None
        if view is not None and (view.restart_count or view.last_terminated):
            previous = cluster.read_logs(namespace, args.pod, container, previous=True)
    finally:
        cluster.close()
    return pod, events, logs, previous


def _read_text(path: str, env, allow_empty: bool = False, logs: bool = False) -> str:
    from runner.textfile import read_text_file

    if path == "-":
        text = env.stdin.read()
    else:
        try:
            text = read_text_file(path, "give what kubectl printed, saved as text",
                                  strict=not logs)
        except FileNotFoundError:
            raise InputError(f"cannot read {path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"cannot read {path}: it is a folder, not a file") from None
        except OSError as problem:
            raise InputError(f"cannot read {path}: {problem.strerror or problem}") from None
    if not allow_empty and not text.strip():
        raise InputError(f"cannot read {_name(path)}: it is empty")
    return text


def _name(path: str) -> str:
    return "stdin" if path == "-" else path


def _print_panel(env, result) -> None:
    from rich.panel import Panel
    from rich.text import Text

    from runner.diagnose.model import NAMES

    body = Text()
    body.append("Cause: ", style="bold")
    body.append(result.cause, style="bold red" if result.cause != "unknown" else "bold yellow")
    body.append(f"  ({result.confidence} confidence)  {result.name}\n")
    body.append(result.summary + "\n")
    others = [c for c in result.candidates[1:]]
    if others:
        body.append("\nAlso possible:\n", style="bold")
        for candidate in others:
            body.append(f"  • {candidate.cause} ({NAMES[candidate.cause]}, {candidate.confidence})\n")
    if result.separate:
        body.append("\nTo tell them apart: ", style="bold")
        body.append(result.separate[0] + "\n")
        body.append(f"  $ {result.separate[1]}\n", style="cyan")
    for title, lines, style in (("Evidence", result.evidence, ""), ("Next", result.next, "cyan"),
                                ("Not seen", result.missing, "dim")):
        if lines:
            body.append(f"\n{title}:\n", style="bold")
            for line in lines:
                body.append("  • " if title != "Next" else "  $ ")
                body.append(line + "\n", style=style)
    where = "/".join(part for part in (result.namespace, result.pod) if part) or "pasted input"
    title = f"diagnosis: {where}" + (f" (container {result.container})" if result.container else "")
    body.rstrip()
    env.console().print(Panel(body, title=title, title_align="left", expand=True))


# ---- observe --------------------------------------------------------------------------------

def run_observe(args, env) -> int:
    from datetime import datetime, timezone

    from runner.diagnose import observe

    if args.kql:
        env.out(observe.render_kql(args.cluster_name, args.since, args.min_restarts).rstrip("\n"))
        if args.cluster_name is None:
            env.err(observe.PLACEHOLDER_NOTE)
        return 0
    restart_window = observe.parse_timespan(args.since or "1h")
    event_window = observe.parse_timespan(args.since or "1d")
    pods, events = _observed_objects(args, env)
    now = datetime.now(timezone.utc)
    restarting = observe.find_restarting(pods, now, restart_window, args.min_restarts)
    looping = observe.find_crashlooping(pods, events)
    warnings = observe.count_warnings(events, now, event_window)
    if args.output == "json":
        import json

        env.out(json.dumps({"restarting": [_row(r) for r in restarting],
                            "crashLoopBackOff": [_row(r) for r in looping],
                            "warnings": [_row(r) for r in warnings]}, indent=2))
        return 0
    _print_observe_tables(env, args, restarting, looping, warnings)
    return 0


def _observed_objects(args, env):
    if args.file:
        from runner.diagnose.read_objects import load_documents, split_documents

        text = _read_text(args.file, env)
        pods, events = split_documents(load_documents(text))
        if not pods and not events:
            raise InputError(f"cannot read {_name(args.file)}: no pods or events in this YAML/JSON")
        return pods, events
    from runner.cli.env import connect

    cluster = connect(env, args.context, ping=False)
    try:
        return cluster.list_pods(), cluster.list_events()  # no namespace: all namespaces
    finally:
        cluster.close()


def _row(row) -> dict:
    out = dict(row.__dict__)
    for key, value in out.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
    return out


def _print_observe_tables(env, args, restarting, looping, warnings) -> None:
    from rich.table import Table

    console = env.console()
    since = args.since
    tables = (
        (f"Containers with more than {args.min_restarts} restarts (last {since or '1h'})",
         ("NAMESPACE", "POD", "CONTAINER", "RESTARTS", "LAST RESTART"),
         [(r.namespace, r.pod, r.container, str(r.restarts),
           r.last_restart.isoformat() if r.last_restart else "?") for r in restarting]),
        ("Containers in CrashLoopBackOff now", ("NAMESPACE", "POD", "CONTAINER", "REASON", "LIKELY CAUSE"),
         [(r.namespace, r.pod, r.container, r.reason, r.cause) for r in looping]),
        (f"Warning events by namespace and reason (last {since or '1d'})",
         ("NAMESPACE", "REASON", "COUNT"),
         [(r.namespace, r.reason, str(r.count)) for r in warnings]),
    )
    for title, columns, rows in tables:
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(cell or "-" for cell in row))
        if not rows:
            table.add_row(*(["none"] + [""] * (len(columns) - 1)))
        console.print(table)
