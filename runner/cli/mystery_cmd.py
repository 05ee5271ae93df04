"""`crashlab run lab-3 --mystery N [--seed S]`: the mystery round (runner.mystery draws it,
runner.session.mystery plays it). Its results file and namespaces are its own."""

from __future__ import annotations

import re

from runner.errors import UsageError

SEED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _check(args, catalog) -> None:
    from runner import mystery

    if args.mystery is None:
        raise UsageError("--seed draws a mystery round: add --mystery N")
    if args.only:
        raise UsageError("--only picks a scenario of a lab; a mystery round draws its own: "
                         "drop --only")
    catalog.lab(args.lab)  # an unknown lab is still a one-line error
    problem = mystery.check_count(catalog, args.mystery)
    if problem:
        raise UsageError(f"--mystery {args.mystery} {problem}")
    if args.seed is not None and not SEED.match(args.seed):
        raise UsageError(f"--seed {args.seed!r}: use letters, digits, '.', '_' or '-' "
                         "(at most 64)")
    if args.stability_window is not None and args.stability_window < 0:
        raise UsageError("--stability-window must be 0 or more seconds")


def _seed(args, results_path) -> str:
    """--seed, else the seed of the round this participant started, else a fresh one."""
    import secrets

    from runner.session.mystery import recorded_round

    recorded = recorded_round(results_path) or {}
    return args.seed or recorded.get("seed") or secrets.token_hex(4)


def cmd_mystery(args, env) -> int:
    from runner import __version__, mystery
    from runner.catalog import load_catalog
    from runner.cli.run_cmds import (_asker, _connect_or_resume, _options, _screen,
                                      participant_of)
    from runner.session.mystery import MysterySession

    catalog = load_catalog()
    _check(args, catalog)
    participant = participant_of(args)
    options = _options(args, participant, mystery.LAB_ID)
    seed = _seed(args, options.results_path)
    draw = mystery.draw_scenarios(catalog, args.mystery, seed)
    round_catalog = mystery.mystery_catalog(catalog, draw)
    options.resume = (f"crashlab run {args.lab} --mystery {args.mystery} --seed {seed} "
                      f"--participant {participant}")
    asker = _asker(args, env, round_catalog.lab_scenarios(mystery.LAB_ID))
    screen = _screen(env)
    cluster = _connect_or_resume(args, env, screen, options, options.resume, "round")
    if cluster is None:
        return 130
    try:
        return MysterySession(round_catalog, options, cluster, asker, screen, __version__,
                              env.environ, draw_record=draw.as_record(catalog)).run()
    finally:
        cluster.close()
