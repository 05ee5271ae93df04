"""`crashlab list`, `show` and `render`: read the catalogue and print it."""

from __future__ import annotations

from runner import ownership, placement
from runner.errors import UsageError


def register(subparsers) -> None:
    listing = subparsers.add_parser("list")
    listing.add_argument("--lab", help="only this lab (e.g. lab-3)")
    listing.set_defaults(func=run_list)

    show = subparsers.add_parser("show")
    show.add_argument("scenario", help="scenario (the name `crashlab list` shows)")
    show.add_argument("--spoilers", action="store_true", help="also print the explanation and the answers")
    show.set_defaults(func=run_show)

    render = subparsers.add_parser("render")
    render.add_argument("scenario", help="scenario (the name `crashlab list` shows)")
    render.add_argument("--solution", action="store_true", help="the reference solution instead of the broken manifest")
    render.add_argument("--namespace", "-n", help="namespace (default: crashlab-<participant>-<scenario>)")
    render.add_argument("--participant", default="learner", help="participant name (default: learner)")
    render.add_argument("--image", help="lab image (default: crashlab/lab-app:0.1.0)")
    render.set_defaults(func=run_render)


def _catalog(manifests: bool = True):
    from runner.catalog import load_catalog

    return load_catalog(manifests=manifests)


def run_list(args, env) -> int:
    catalog = _catalog(manifests=False)
    labs = [catalog.lab(args.lab)] if args.lab else [catalog.labs[key] for key in sorted(catalog.labs)]
    for lab in labs:
        env.out(f"{lab.id}  {lab.title}")
        # Neutral before the quiz: a number and the service, never the id (it names the cause).
        for index, scenario in enumerate(catalog.lab_scenarios(lab.id), start=1):
            env.out(f"  {scenario.heading(index)}")
    return 0


def run_show(args, env) -> int:
    scenario = _catalog(manifests=False).scenario(args.scenario)
    lines = [scenario.title, "", scenario.story, "", "Commands worth running:"]
    lines += [f"  {command}" for command in scenario.investigate]
    lines += ["", "Hints:"]
    lines += [f"  {number}. {hint}" for number, hint in enumerate(scenario.hints, start=1)]
    lines += ["", "A fix must keep:"] + [f"  - {guard.says}" for guard in scenario.guards]
    if args.spoilers:
        sample = f", workshop sample {scenario.sample}" if scenario.sample else ""
        lines += ["", f"{scenario.sample_title}  ({scenario.id}{sample})",
                  f"Cause: {scenario.cause}", "", "What the broken pod shows:",
                  f"  {scenario.symptom.summary}", ""]
        for question in scenario.questions:
            lines.append(f"{question.prompt}  ->  {question.answer.text}")
        lines += ["", scenario.explanation]
    env.out("\n".join(lines))
    return 0


def run_render(args, env) -> int:
    from runner.catalog import DEFAULT_IMAGE, render_manifest_text

    problem = ownership.check_participant(args.participant)
    if problem:
        raise UsageError(f"--participant {args.participant!r} {problem}")
    scenario = _catalog().scenario(args.scenario)
    namespace = args.namespace or placement.namespace_name(args.participant, scenario.slug)
    problem = ownership.check_namespace(namespace)
    if problem:
        raise UsageError(f"--namespace {namespace!r} {problem}")
    text = render_manifest_text(scenario, "solution" if args.solution else "broken", namespace=namespace,
                                image=args.image or DEFAULT_IMAGE, participant=args.participant)
    env.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
