"""Instructor commands: `selftest`, `results verify`, `grade`,
`workshop prepare|teardown|watch|kit`.

Argument parsing and printing only; the work is in runner.selftest, runner.results,
runner.grade and runner.workshop.
"""

from __future__ import annotations

import argparse

from runner.errors import EXIT_CHECK_FAILED, InputError, UsageError

_GRADE_EXAMPLES = """examples:
  crashlab grade results/                        table, plus results/report.csv and report.html
  crashlab grade a.json b.json --csv out.csv --html out.html --roster class.txt
  crashlab grade --live --context workshop       the records on the cluster, every participant
                                                 re-checked live (no files to collect)
"""


def register(subparsers) -> None:
    selftest = subparsers.add_parser(
        "selftest",
        description="For each scenario, in parallel, in its own namespace: deploy the broken "
        "manifest, wait for its symptom, check the diagnosis, apply the reference solution, "
        "wait for the fixed state to hold for its stability window, clean up.")
    selftest.add_argument("--lab", default="lab-3", help="lab id (default lab-3)")
    selftest.add_argument("--context", help="kubeconfig context (default: kind-crashlab, the lab's cluster)")
    selftest.add_argument("--stability-window", type=float, metavar="S",
                          help="seconds the fixed pod must stay ready (default: each scenario's)")
    selftest.add_argument("--participant", default="selftest",
                          help="name used in namespaces and labels (default selftest)")
    selftest.add_argument("--scenario", action="append", metavar="ID",
                          help="only this scenario (repeatable)")
    selftest.add_argument("--fix-grace", type=float, default=120.0, metavar="S",
                          help="seconds allowed for the solution's rollout, on top of the "
                          "stability window (default 120)")
    selftest.add_argument("--image", help="lab app image (default crashlab/lab-app:0.1.0)")
    selftest.add_argument("--keep", action="store_true", help="keep the namespaces for a look")
    selftest.set_defaults(func=run_selftest)

    res = subparsers.add_parser("results")
    res_sub = res.add_subparsers(dest="results_command", metavar="ACTION")
    verify = res_sub.add_parser(
        "verify", help="check schema and signature of results files",
        description="Prints ok / unsigned / tampered / invalid per file; exits 1 when any is "
        "not ok.")
    verify.add_argument("files", nargs="+", metavar="FILE")
    verify.add_argument("--key-env", default="CRASHLAB_GRADING_KEY", metavar="NAME",
                        help="environment variable holding the grading key")
    verify.add_argument("--junit", metavar="OUT.xml", help="also write a JUnit XML report")
    verify.set_defaults(func=run_results_verify)
    res.set_defaults(func=lambda args, env: _missing_action(res))

    grade = subparsers.add_parser(
        "grade",
        description="Merge participants' results: outcome per scenario, class figures, flags for "
        "unsigned, tampered, truncated, duplicate and missing files.",
        epilog=_GRADE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("paths", nargs="*", metavar="PATH", help="results files or folders")
    grade.add_argument("--csv", metavar="OUT", help="write the report as CSV")
    grade.add_argument("--html", metavar="OUT", help="write the report as one HTML file")
    grade.add_argument("--no-files", action="store_true",
                       help="with one folder: do not write report.csv/report.html into it")
    grade.add_argument("--key-env", default="CRASHLAB_GRADING_KEY", metavar="NAME",
                       help="environment variable holding the grading key")
    grade.add_argument("--roster", metavar="FILE", help="participants expected (one per line)")
    grade.add_argument("--live", action="store_true", help="re-check every participant on the cluster")
    grade.add_argument("--context", help="kubeconfig context for --live (default: kind-crashlab)")
    grade.add_argument("--lab", default="lab-3", help="lab id for --live (default lab-3)")
    grade.set_defaults(func=run_grade)

    workshop = subparsers.add_parser("workshop")
    wsub = workshop.add_subparsers(dest="workshop_command", metavar="ACTION")
    prepare = wsub.add_parser(
        "prepare", help="namespaces, least-privilege Role/RoleBinding and a kubeconfig per participant")
    prepare.add_argument("--participants", required=True, metavar="FILE",
                         help="participant names, one per line")
    prepare.add_argument("--context", help="kubeconfig context of the shared cluster (admin)")
    prepare.add_argument("--lab", action="append", metavar="LAB",
                         help="lab id, repeatable, or `all` for every lab (default lab-3)")
    prepare.add_argument("--mystery", type=int, metavar="N", help="also the mystery round "
                         "`crashlab run lab-3 --mystery N --seed S` (needs --seed)")
    prepare.add_argument("--seed", metavar="S", help="the class's mystery seed")
    prepare.add_argument("--out", default="kubeconfigs", metavar="DIR",
                         help="where to write <participant>.kubeconfig (default ./kubeconfigs)")
    prepare.add_argument("--token-hours", type=float, default=8.0, metavar="H",
                         help="lifetime of each participant's token (default 8)")
    prepare.add_argument("--server", help="API server URL to put in the kubeconfigs "
                         "(default: the one of --context)")
    prepare.set_defaults(func=run_workshop_prepare)
    teardown = wsub.add_parser("teardown", help="remove everything `workshop prepare` created")
    teardown.add_argument("--context", help="kubeconfig context of the shared cluster")
    teardown.add_argument("--lab", action="append", metavar="LAB",
                          help="lab id, repeatable, `all`, or mystery (default lab-3)")
    teardown.set_defaults(func=run_workshop_teardown)
    from runner.cli import watch_cmd

    watch_cmd.register(wsub)
    from runner.cli.kit_cmds import add_kit_parser

    add_kit_parser(wsub)
    workshop.set_defaults(func=lambda args, env: _missing_action(workshop))


def _missing_action(parser) -> int:
    raise UsageError(f"say what to do: {parser.prog} {{{', '.join(_actions(parser))}}} "
                     f"(see {parser.prog} --help)")


def _actions(parser) -> list[str]:
    for action in parser._actions:  # noqa: SLF001 - argparse keeps sub-commands here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return list(action.choices)
    return []


def _key(env, name: str) -> str | None:
    from runner import results

    return results.key_from_env(env.environ, name)


# ---- results verify --------------------------------------------------------------------------

def run_results_verify(args, env) -> int:
    from runner import results
    from runner.grade import check_file

    key = _key(env, args.key_env)
    if not key:
        raise UsageError(f"set {args.key_env} to the workshop's grading key to verify signatures "
                         "(or pass --key-env NAME)")
    checked = []
    for name in args.files:
        item = check_file(name, key)
        checked.append((item.source, item.record, results.Verification(item.status, item.reason)))
        env.out(f"{item.status:<9} {item.source}" + ("" if item.status == "ok" else f": {item.reason}"))
    if args.junit:
        _write(args.junit, results.to_junit(checked))
        env.err(f"JUnit report written to {args.junit}")
    bad = sum(1 for _, _, verdict in checked if not verdict.ok)
    if bad:
        env.err(f"{bad} of {len(checked)} file(s) did not verify")
        return EXIT_CHECK_FAILED
    return 0


# ---- grade -----------------------------------------------------------------------------------

def run_grade(args, env) -> int:
    from pathlib import Path

    from runner import results
    from runner.grade import grade_paths, read_roster, table, to_csv, to_html

    if not args.paths and not args.live:
        raise UsageError("give results files or folders to grade (e.g. crashlab grade results/), "
                         "or --live --context C to check the cluster")
    key = _key(env, args.key_env)
    roster = read_roster(args.roster) if args.roster else ()
    missing = [p for p in args.paths if not Path(p).exists()]
    if args.paths and len(missing) == len(args.paths):
        raise InputError(f"no results at {', '.join(missing)}: give the folder (or files) the "
                         "participants' results/lab-3-<name>.json were collected into")
    order = _scenario_order(args.lab)
    generated = results.now_iso()
    if args.paths:
        report = grade_paths(args.paths, key, roster, order, generated)
    else:
        from runner.grade import build_report

        report = build_report([], [], (args.lab,), order, roster, generated)
    if args.live:
        report = _grade_live(args, env, report, order, roster, generated)
    table.render(report, env.console())
    if args.paths and not args.live and not report.files_graded:
        raise InputError(_nothing_graded(args.paths, report))
    csv_out, html_out = args.csv, args.html
    folders = [Path(p) for p in args.paths if Path(p).is_dir()]
    if not (csv_out or html_out) and len(args.paths) == 1 and folders and not args.no_files:
        csv_out, html_out = folders[0] / "report.csv", folders[0] / "report.html"
    if csv_out:
        _write(csv_out, to_csv(report))
        env.out(f"CSV report: {csv_out}")
    if html_out:
        _write(html_out, to_html(report))
        env.out(f"HTML report: {html_out}")
    if not key and any(r.trust == "unverified" for r in report.rows):
        env.err(f"note: {args.key_env} is not set, so signatures were not checked")
    return 0


def _nothing_graded(paths, report) -> str:
    where = ", ".join(paths)
    invalid = any(flag.kind == "invalid" for flag in report.flags)
    why = "could be graded (see the flags above)" if invalid else "(*.json) found"
    return (f"no results file in {where} {why}: give the folder (or files) the participants' "
            "results/<lab>-<name>.json were collected into; no report was written")


def _scenario_order(lab_id: str) -> tuple[str, ...]:
    from runner.catalog import load_catalog
    from runner.errors import CatalogError

    try:
        lab = load_catalog().labs.get(lab_id)
    except CatalogError:
        return ()
    return lab.scenario_ids if lab else ()


def _grade_live(args, env, report, order, roster, generated):
    from runner import workshop
    from runner.catalog import load_catalog

    catalog = load_catalog()
    lab = _lab(catalog, args.lab)
    conn = _connect(args.context, env)
    try:
        snapshot = workshop.read_live_snapshot(conn, lab.id)
    finally:
        conn.close()
    if not args.paths:  # no files collected: the progress records the sessions wrote on the cluster
        from runner import progress
        from runner.grade import grade_checked

        checked = progress.records_on_cluster(snapshot["configmaps"], snapshot["namespaces"],
                                              _key(env, args.key_env))
        report = grade_checked(checked, roster, order, generated)
    return workshop.grade_live(report, snapshot, catalog, lab, roster, generated)


def _lab(catalog, lab_id: str):
    lab = catalog.labs.get(lab_id)
    if lab is None:
        raise UsageError(f"no lab {lab_id!r}; choose one of: {', '.join(sorted(catalog.labs))}")
    return lab


def _write(path, text: str) -> None:
    from pathlib import Path

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}; choose another path") from None


# ---- selftest --------------------------------------------------------------------------------

def run_selftest(args, env) -> int:
    from runner import ownership, selftest
    from runner.placement import namespace_name
    from runner.catalog import load_catalog

    problem = ownership.check_participant(args.participant)
    if problem:
        raise UsageError(f"--participant {args.participant!r} {problem}")
    catalog = load_catalog()
    lab = _lab(catalog, args.lab)
    from runner.lookup import lab_scenarios

    scenarios = lab_scenarios(catalog, lab.id, sorted(set(args.scenario or ())))
    options = selftest.Options(lab=lab.id, participant=args.participant,
                               stability_window=args.stability_window, keep=args.keep,
                               fix_grace=args.fix_grace,
                               **({"image": args.image} if args.image else {}))
    # One reachability check first: an unreachable cluster is one line, not one per scenario.
    probe = _connect(args.context, env)
    env.err(f"selftest: {len(scenarios)} scenario(s) of {lab.id} in parallel on {probe.where}, "
            f"namespaces {namespace_name(args.participant, '<scenario>')}")
    probe.close()
    outcomes = selftest.run_selftest(lambda: _connect(args.context, env), scenarios, options,
                                     progress=lambda line: env.err(line))
    selftest.render(outcomes, env.console())
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        env.err(outcome.failure_text())
    if failed:
        env.err(f"selftest failed: {len(failed)} of {len(outcomes)} scenario(s); see above")
        return EXIT_CHECK_FAILED
    return 0


def _connect(context, env, ping: bool = True, lab_cluster: bool = True):
    from runner.cli.env import connect

    return connect(env, context, ping, lab_cluster)


# ---- workshop --------------------------------------------------------------------------------

def run_workshop_prepare(args, env) -> int:
    from pathlib import Path

    from runner import workshop
    from runner.catalog import load_catalog
    from runner.grade import read_roster

    names = read_roster(args.participants)
    if not names:
        raise InputError(f"{args.participants}: no participant names; write one per line")
    bad = workshop.check_names(names)
    if bad:
        raise InputError(f"{args.participants}: {bad}")
    if args.token_hours <= 0 or args.token_hours > 24 * 7:
        raise UsageError("--token-hours must be between 0 and 168")
    catalog = load_catalog()
    labs, catalogs = _prepared_labs(catalog, args)
    kinds = {s.id: workshop.scenario_kinds(s) for each, lab in zip(catalogs, labs)
             for s in each.lab_scenarios(lab.id)}
    conn = _connect(args.context, env, lab_cluster=False)
    try:
        written = workshop.prepare(conn, labs, names, Path(args.out),
                                   token_seconds=int(args.token_hours * 3600),
                                   server=args.server, progress=env.err, kinds=kinds)
    finally:
        conn.close()
    for name, path in written.items():
        env.out(f"{name}: {path}")
    runs = [f"crashlab run {lab.id}" for lab in labs if lab.id != "mystery"]
    if args.mystery:
        runs.append(f"crashlab run lab-3 --mystery {args.mystery} --seed {args.seed}")
    env.out(f"{len(written)} participant(s) ready: give each their kubeconfig; they run "
            f"KUBECONFIG=<file> {' / '.join(runs)} --participant <name>")
    return 0


def _lab_ids(catalog, given) -> list[str]:
    ids = []
    for lab_id in given or ["lab-3"]:
        ids += sorted(catalog.labs) if lab_id == "all" else [lab_id]
    return list(dict.fromkeys(ids))


def _prepared_labs(catalog, args):
    """The labs to prepare, each with the catalogue it comes from (the mystery round's own)."""
    labs = [_lab(catalog, lab_id) for lab_id in _lab_ids(catalog, args.lab)]
    catalogs = [catalog] * len(labs)
    if args.mystery is not None or args.seed is not None:
        from runner import mystery

        if args.mystery is None or args.seed is None:
            raise UsageError("a mystery round on a shared cluster is one draw for the class: "
                             "give both --mystery N and --seed S")
        problem = mystery.check_count(catalog, args.mystery)
        if problem:
            raise UsageError(f"--mystery {args.mystery} {problem}")
        drawn = mystery.mystery_catalog(catalog, mystery.draw_scenarios(catalog, args.mystery,
                                                                         args.seed))
        labs.append(drawn.lab(mystery.LAB_ID))
        catalogs.append(drawn)
    return labs, catalogs


def run_workshop_teardown(args, env) -> int:
    from runner import workshop

    conn = _connect(args.context, env, lab_cluster=False)
    try:
        from runner.catalog import load_catalog

        removed = sum(workshop.teardown(conn, lab_id, progress=env.err)
                      for lab_id in _lab_ids(load_catalog(manifests=False), args.lab))
    finally:
        conn.close()
    env.out(f"removed {removed} namespace(s) created by crashlab workshop prepare")
    return 0
