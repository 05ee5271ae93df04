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
    options.mystery = (args.lab, args.mystery, seed)
    asker = _asker(args, env, round_catalog.lab_scenarios(mystery.LAB_ID))
    screen = _screen(env)
    cluster = _connect_or_resume(args, env, screen, options, options.resume_command(),
                                 "round")
    if cluster is None:
        return 130
    try:
        return MysterySession(round_catalog, options, cluster, asker, screen, __version__,
                              env.environ, draw_record=draw.as_record(catalog)).run()
    finally:
        cluster.close()


def cmd_reset_mystery(args, env) -> int:
    """`crashlab reset mystery-N` (or `--lab mystery`): the round in the participant's results
    file, drawn again from its seed; the scenario is reset as a lab's is (runner.session.reset)."""
    from runner import mystery
    from runner.catalog import load_catalog
    from runner.cli.run_cmds import DEFAULT_LAB, _options, _reset, participant_of
    from runner.errors import InputError
    from runner.lookup import lab_scenarios
    from runner.session.mystery import recorded_round, same_round

    participant = participant_of(args)
    options = _options(args, participant, mystery.LAB_ID)
    recorded = recorded_round(options.results_path)
    if not recorded:
        raise InputError(f"{options.results_path}: no mystery round to reset; start one with: "
                         f"crashlab run {DEFAULT_LAB} --mystery N")
    catalog = load_catalog()
    count, seed = recorded["count"], recorded["seed"]
    drawn = (None if mystery.check_count(catalog, count)
             else mystery.draw_scenarios(catalog, count, seed))
    if drawn is None or not same_round(recorded, drawn.as_record(catalog)):
        raise InputError(f"{options.results_path}: this crashlab cannot draw its mystery round "
                         f"(seed {seed}) again: play it with the crashlab version that started "
                         "it, or move the file away to start a new round")
    round_catalog = mystery.mystery_catalog(catalog, drawn)
    scenario, = lab_scenarios(round_catalog, mystery.LAB_ID, args.scenario)
    lab = DEFAULT_LAB if args.lab == mystery.LAB_ID else args.lab
    options.mystery = (lab, count, seed)
    return _reset(args, env, options, scenario, scenario.heading())
