"""`crashlab run LAB`, `crashlab reset SCENARIO`, `crashlab clean`: the learner's commands."""

from __future__ import annotations

from runner.errors import ClusterError, UsageError

DEFAULT_LAB = "lab-3"
DEFAULT_CLUSTER = "crashlab"


def register(subparsers) -> None:
    run = subparsers.add_parser("run",
                                description="Create or reuse the kind cluster (or use "
                                "--context), deploy every broken scenario, then for each one: "
                                "investigate, answer the quiz, fix it, see it verified.")
    run.add_argument("lab", nargs="?", default=DEFAULT_LAB, help="lab id (default lab-3)")
    _common(run)
    run.add_argument("--answers", metavar="FILE", help="scripted quiz answers (YAML/JSON: "
                     "scenario -> {cause: ..., evidence: ...}); no prompts")
    run.add_argument("--solve", action="store_true", help="apply each reference solution")
    run.add_argument("--yes", action="store_true", help="never wait for Enter; download "
                     "kind/kubectl without asking when they are missing")
    run.add_argument("--stability-window", type=int, metavar="SECONDS",
                     help="seconds a fixed pod must stay healthy (overrides each scenario's)")
    run.add_argument("--only", metavar="SCENARIO", help="run just this scenario")
    run.add_argument("--fix-timeout", type=float, metavar="SECONDS", default=180.0,
                     help="unattended runs (--answers, --yes, --solve): give up on a fix "
                     "after this long (default 180); a person at the keyboard is never timed out")
    run.add_argument("--guided", action="store_true", help="walkthrough style for demos of the "
                     "workshop's samples (recorded in the results)")
    run.add_argument("--image", help="lab image (default crashlab/lab-app:0.1.0)")
    run.add_argument("--no-build", action="store_true", help="kind: load the image Docker has")
    run.add_argument("--mystery", nargs="?", type=int, const=4, metavar="N",
                     help="a mystery round instead: N scenarios (default 4) drawn from every "
                     "lab, neutral and in random order, scored like an exam")
    run.add_argument("--seed", metavar="S", help="with --mystery: draw with this seed (the "
                     "same for a whole class); default: a fresh draw per participant")
    run.set_defaults(func=cmd_run)

    reset = subparsers.add_parser("reset")
    reset.add_argument("scenario", help="scenario: the name `crashlab list` shows, or "
                       "mystery-N for the mystery round's N-th service")
    reset.add_argument("--lab", default=DEFAULT_LAB, help="lab id (default lab-3; mystery: "
                       "the mystery round)")
    _common(reset)
    reset.set_defaults(func=cmd_reset)

    clean = subparsers.add_parser("clean")
    clean.add_argument("--lab", default=DEFAULT_LAB, help="lab id (default lab-3; mystery: the "
                       "mystery round's namespaces)")
    who = clean.add_mutually_exclusive_group()
    who.add_argument("--participant", help="only this participant's namespaces")
    who.add_argument("--all", action="store_true", help="every participant's namespaces")
    clean.add_argument("--cluster", action="store_true",
                       help="also delete the kind cluster (only one crashlab created)")
    clean.add_argument("--context", help="kubeconfig context (default: the kind cluster)")
    clean.add_argument("--name", default=DEFAULT_CLUSTER, help="kind cluster name")
    clean.set_defaults(func=cmd_clean)


def _common(parser) -> None:
    parser.add_argument("--participant", help="your name in namespaces and results "
                        "(default: your login name)")
    parser.add_argument("--context", help="use this kubeconfig context (skips kind)")
    parser.add_argument("--name", default=DEFAULT_CLUSTER, help="kind cluster name")
    parser.add_argument("--results", default="results", metavar="DIR",
                        help="folder of the results file (default ./results)")
    parser.add_argument("--workspace", default="workspace", metavar="DIR",
                        help="folder of your manifest copies (default ./workspace)")


def participant_of(args) -> str:
    import getpass

    from runner import ownership

    name = args.participant or ownership.participant_from_user(getpass.getuser())
    problem = ownership.check_participant(name)
    if problem:
        raise UsageError(f"--participant {name!r} {problem}: choose another name")
    return name


def _screen(env):
    from runner.session.screen import PlainScreen, RichScreen

    return RichScreen(env.console()) if env.stdout_is_terminal else PlainScreen(env.stdout)


def _options(args, participant: str, lab: str):
    from pathlib import Path

    from runner.session import SessionOptions

    return SessionOptions(
        lab=lab, participant=participant,
        results_path=Path(getattr(args, "results", "results")) / f"{lab}-{participant}.json",
        workspace=Path(getattr(args, "workspace", "workspace")) / lab,
        image=getattr(args, "image", None) or "crashlab/lab-app:0.1.0",
        stability_window=getattr(args, "stability_window", None),
        solve=getattr(args, "solve", False), yes=getattr(args, "yes", False),
        only=getattr(args, "only", None), fix_timeout=getattr(args, "fix_timeout", 180.0),
        unattended=bool(getattr(args, "answers", None)), answers=getattr(args, "answers", None),
        guided=getattr(args, "guided", False), cluster_name=getattr(args, "name", "crashlab"))


def _connect(args, env, screen, options, prepare_kind: bool):
    """The Cluster to use: --context as given, else the kind cluster (created if needed)."""
    from runner.cli.env import connect

    if args.context:
        context, options.kind, options.context = args.context, False, args.context
    else:
        context = _kind_context(args, env, screen, options, prepare_kind)
    with screen.step(f"Connecting to {context}") as note:
        cluster = connect(env, context, ping=False)
        note.text = f"Kubernetes {cluster.ping()}"
    options.context, options.server = cluster.context, cluster.server
    return cluster


def _kind_context(args, env, screen, options, prepare: bool) -> str:
    from runner.kind import check_cluster_name, context_name, ensure_lab_cluster

    check_cluster_name(args.name)
    if not prepare:
        return context_name(args.name)  # = env.context_or_default for the default --name
    # A failed preflight raises PreflightFailed: one line per missing tool, exit 3.
    # Missing kind/kubectl are offered for download first (--yes accepts).
    from runner.cli.tools_offer import preflight_with_offer

    preflight_with_offer(env, ("docker", "kind", "kubectl"), screen.step,
                         yes=getattr(args, "yes", False))
    return ensure_lab_cluster(args.name, options.image, env.environ,
                              build=not getattr(args, "no_build", False),
                              step=screen.step).context


def _asker(args, env, scenarios=None):
    from pathlib import Path

    if args.answers:
        from runner.session.askers import load_answers

        return load_answers(Path(args.answers), scenarios)
    if not env.interactive:
        raise UsageError("no terminal to ask questions on: run it in a terminal, or pass "
                         "--answers FILE (and --yes) to run unattended")
    from runner.session.prompts import QuestionaryAsker

    return QuestionaryAsker()


def cmd_run(args, env) -> int:
    from runner import __version__
    from runner.catalog import load_catalog
    from runner.session.lab import LabSession

    if args.mystery is not None or args.seed is not None:
        from runner.cli.mystery_cmd import cmd_mystery

        return cmd_mystery(args, env)
    participant = participant_of(args)
    catalog = load_catalog()
    asker = _asker(args, env, catalog.lab_scenarios(args.lab))
    if args.stability_window is not None and args.stability_window < 0:
        raise UsageError("--stability-window must be 0 or more seconds")
    if args.fix_timeout <= 0:
        raise UsageError("--fix-timeout must be more than 0 seconds")
    options = _options(args, participant, args.lab)
    screen = _screen(env)
    cluster = _connect_or_resume(args, env, screen, options, options.resume_command(), "lab")
    if cluster is None:
        return 130
    try:
        return LabSession(catalog, options, cluster, asker, screen, __version__,
                          env.environ).run()
    finally:
        cluster.close()


def _connect_or_resume(args, env, screen, options, resume: str, what: str):
    """Connect for a run; before it starts, Ctrl-C (None: exit 130) and a cluster that does
    not answer (raised on: exit 4) both say the exact command that resumes."""
    try:
        return _connect(args, env, screen, options, prepare_kind=True)
    except KeyboardInterrupt:
        screen.say(f"Interrupted before the {what} started. Resume with: {resume}")
        return None
    except ClusterError:
        screen.say(f"The {what} did not start; nothing was lost. Once the cluster answers, "
                   f"resume with: {resume}")
        raise


def cmd_reset(args, env) -> int:
    from runner import mystery
    from runner.catalog import load_catalog
    from runner.lookup import lab_scenarios

    if mystery.is_round(args.lab, args.scenario):
        from runner.cli.mystery_cmd import cmd_reset_mystery

        return cmd_reset_mystery(args, env)
    participant = participant_of(args)
    catalog = load_catalog()
    scenario, = lab_scenarios(catalog, args.lab, args.scenario)
    options = _options(args, participant, args.lab)
    number = catalog.lab(args.lab).scenario_ids.index(scenario.id) + 1
    return _reset(args, env, options, scenario, scenario.heading(number))


def _reset(args, env, options, scenario, name: str) -> int:
    from runner.session.reset import reset_scenario

    screen = _screen(env)
    cluster = _connect(args, env, screen, options, prepare_kind=False)
    try:
        reset_scenario(scenario, options, cluster, screen, env.environ, name=name)
    finally:
        cluster.close()
    return 0


def _clean_lab(cluster, lab: str, participant: str | None, screen, args=None) -> None:
    from runner.cluster import Forbidden
    from runner.session.reset import clean_namespaces, clean_objects, other_labs

    who = "every participant" if participant is None else participant
    try:
        deleted = clean_namespaces(cluster, lab, participant)
    except Forbidden:
        if participant is None:
            raise
        from runner import mystery
        from runner.catalog import load_catalog

        # A workshop participant may not list or delete namespaces: empty their own instead.
        catalog = load_catalog(manifests=False)
        if lab == mystery.LAB_ID:
            slugs = mystery.round_slugs(catalog)
        else:
            plan = catalog.lab(lab)
            slugs = [plan.slug(s) for s in plan.scenario_ids]
        removed = clean_objects(cluster, participant, slugs,
                                skip_forbidden=lab == mystery.LAB_ID)
        screen.say(f"You may not delete namespaces on this cluster; removed the lab's objects from "
                   f"{len(removed)} namespace(s) of {who} instead"
                   + (f": {', '.join(removed)}" if removed else "")
                   + ". Your instructor removes the namespaces (crashlab workshop teardown).")
        return
    screen.say(f"Deleted {len(deleted)} namespace(s) of {lab} for {who}"
               + (f": {', '.join(deleted)}" if deleted else "") + ".")
    for other in other_labs(cluster, lab, participant):
        screen.say(f"Kept the namespaces of {other}; remove them with: "
                   f"{_clean_command(args, other, participant)}")


def _clean_command(args, lab: str, participant: str | None) -> str:
    """The exact `crashlab clean` for another lab, with this one's cluster flags."""
    import shlex

    argv = ["crashlab", "clean", "--lab", lab]
    argv += ["--all"] if participant is None else ["--participant", participant]
    if getattr(args, "context", None):
        argv += ["--context", args.context]
    elif getattr(args, "name", DEFAULT_CLUSTER) != DEFAULT_CLUSTER:
        argv += ["--name", args.name]
    return shlex.join(argv)


def cmd_clean(args, env) -> int:
    from runner.errors import ClusterError

    participant = None
    if not args.all:
        participant = participant_of(args)
    screen = _screen(env)
    args.participant = participant
    options = _options(args, participant or "all", args.lab)
    had_cluster = True
    try:
        cluster = _connect(args, env, screen, options, prepare_kind=False)
    except ClusterError as problem:  # with --cluster, a dead API is fine: delete the cluster
        if not args.cluster or args.context:
            raise
        screen.say(f"Cluster API not reachable ({problem}); deleting the cluster only.")
        had_cluster = False
    if had_cluster:
        try:
            _clean_lab(cluster, args.lab, participant, screen, args)
        finally:
            cluster.close()
    if args.cluster and not args.context:
        from runner.kind import delete_cluster

        # Refuses (NotOwnedError, exit 4) a cluster crashlab did not create.
        if delete_cluster(args.name, environ=env.environ, step=screen.step):
            screen.say(f"Deleted kind cluster {args.name!r}.")
        else:
            screen.say(f"No kind cluster {args.name!r}: nothing to delete.")
    return 0
