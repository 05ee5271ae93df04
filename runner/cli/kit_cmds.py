"""The classroom kit on the command line: `workshop kit --out DIR|X.tar` and `cluster up --kit`.

Printing only; the work is in runner.kit. Registered by instructor_cmds (workshop kit)
and used by cluster_cmds (--kit).
"""

from contextlib import contextmanager
from pathlib import Path


def add_kit_parser(workshop_actions) -> None:
    kit = workshop_actions.add_parser(
        "kit", help="write a classroom kit (images, kind, kubectl, source) for a room with bad "
        "Wi-Fi",
        description="Write one folder (or one .tar) with the pinned kind node image and the "
        "lab image (docker save), kind and kubectl for Linux and macOS on amd64 and arm64, the lab's "
        "source as a git bundle, its Python packages as wheels, a manifest with every file's "
        "SHA-256 and a README. "
        "Participants run `make lab-3 KIT=DIR` with no network.")
    kit.add_argument("--out", required=True, metavar="DIR",
                     help="a new or empty folder, or a new FILE.tar (the same kit as one "
                     "uncompressed file, faster to copy)")
    kit.add_argument("--python", action="append", metavar="X.Y", dest="pythons",
                     help="carry Python packages only for this CPython (repeat it for more; "
                     "default: every one crashlab runs on, 3.10 to 3.15, which makes the "
                     "wheels about 160 MB)")
    kit.set_defaults(func=cmd_kit)


def cmd_kit(args, env) -> int:
    from runner.kind.images import LAB_IMAGE
    from runner.kit.manifest import current_pins
    from runner.kit.pack import make_kit_tar
    from runner.kit.unpack import is_tar
    from runner.kit.write import make_kit

    out = Path(args.out)
    pythons = chosen_pythons(args.pythons)

    def write(folder: Path):
        return make_kit(folder, current_pins(LAB_IMAGE), environ=env.environ,
                        progress=progress, pythons=pythons)

    with progress_for(env) as progress:
        if is_tar(out):
            manifest = make_kit_tar(out, write, progress)
        else:
            manifest = write(out)
    size = out.stat().st_size if is_tar(out) else sum(item.size for item in manifest.files)
    env.out(f"Kit written to {out}: {len(manifest.files)} files, {size / 1e6:.0f} MB, images for "
            f"{manifest.image_platform}; participants run `make lab-3 KIT={out}`")
    return 0


def chosen_pythons(given: list[str] | None) -> tuple[str, ...]:
    """The --python values, in crashlab's order; UsageError naming the flag otherwise."""
    from runner.errors import UsageError
    from runner.kit.wheels import PYTHONS

    for value in given or ():
        if value not in PYTHONS:
            raise UsageError(f"--python {value}: crashlab runs on CPython {', '.join(PYTHONS)}; "
                             "give one of those")
    return tuple(python for python in PYTHONS if python in (given or PYTHONS))


def prepare_from_kit(env, given: Path, step) -> str:
    """Check the kit (a folder, or a .tar unpacked beside itself first), load its images,
    install its tools; return the node image to create the cluster with. Raises KitError
    (exit 2) before touching anything when it does not fit."""
    from runner.kind.images import LAB_IMAGE
    from runner.kit.load import check_kit, install_tools, load_images
    from runner.kit.manifest import current_pins
    from runner.kit.unpack import kit_folder

    del step  # byte progress instead of the step spinner, which would fight it
    with progress_for(env) as progress:
        folder = kit_folder(given, lambda done, total: progress(
            f"Unpacking {given.name}", done, total))
        if folder != given:
            env.out(f"Kit {given}: unpacked in {folder}")
        manifest = check_kit(folder, current_pins(LAB_IMAGE), environ=env.environ,
                             progress=progress)
        env.out(f"Kit {folder}: {len(manifest.files)} files match manifest.json")
        loaded = load_images(folder, manifest, environ=env.environ, progress=progress)
        env.out("Images: " + (", ".join(loaded) + " loaded" if loaded else
                              "already in Docker (same image IDs)"))
        installed = install_tools(folder, env.environ, progress=progress)
        env.out(f"kind and kubectl: SHA-256 verified, installed into {installed[0].parent}")
    return manifest.image("node").ref


@contextmanager
def progress_for(env):
    """A progress callable (label, done, total): bars on a terminal, else plain lines."""
    if not env.stdout_is_terminal:
        yield ProgressLines(env)
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  console=env.console()) as bars:
        tasks: dict[str, int] = {}

        def update(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bars.add_task(label, total=total)
            bars.update(tasks[label], completed=done, total=total)

        yield update


class ProgressLines:
    """Progress as plain lines: the label once, then one line per quarter of its bytes."""

    def __init__(self, env):
        self.env, self.label, self.quarter = env, None, 0

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if label != self.label:
            self.label, self.quarter = label, 0
            self.env.out(f"  {label}" + (f" ({total / 1e6:.1f} MB)" if total else ""))
        if total and min(done * 4 // total, 4) > self.quarter:
            self.quarter = min(done * 4 // total, 4)
            self.env.out(f"    {min(done * 100 // total, 100)}% of {total / 1e6:.1f} MB")
