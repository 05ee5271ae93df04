"""`python -m runner.kit.check KIT`: check a kit before `make` installs anything from it.

Run by `make lab-3 KIT=DIR` with the system Python, before the virtualenv exists, so it
uses the standard library only (a KIT.tar is unpacked beside itself first, by
runner.kit.unpack): the manifest, the pins, every file's SHA-256, and that
the kit's wheels fit this Python. One line and exit 2 when something does not fit.
"""

import sys
from pathlib import Path

from runner.errors import CrashlabError
from runner.kind.images import LAB_IMAGE
from runner.kit import files, unpack, wheels
from runner.kit.manifest import check_listed, check_pins, check_wheels, current_pins


def main(argv: list[str]) -> int:
    """--wheels: also check that the kit's wheels fit this Python (make installs from them)."""
    with_wheels = "--wheels" in argv
    argv = [arg for arg in argv if arg != "--wheels"]
    if len(argv) != 1:
        print("usage: python -m runner.kit.check [--wheels] KIT_DIR|KIT.tar", file=sys.stderr)
        return 2
    given = Path(argv[0])
    try:
        folder = unpack.kit_folder(given, _progress_lines(f"Unpacking {given.name}"))
        if folder != given:
            print(f"Kit {given}: unpacked in {folder}")
        manifest = files.read_manifest(folder)
        check_pins(manifest, current_pins(LAB_IMAGE))
        check_listed(manifest)
        if with_wheels:  # before hashing every byte: a wrong Python is known at once
            check_wheels(manifest, wheels.this_target(), wheels.describe_here())
        files.verify(folder, manifest)
    except CrashlabError as problem:
        print(f"crashlab: error: {problem}", file=sys.stderr)
        return problem.exit_code
    print(f"Kit {folder}: {len(manifest.files)} files match manifest.json")
    return 0


def _progress_lines(label: str):
    """Progress as plain lines: the label once, then each quarter of the bytes."""
    quarter = -1

    def show(done: int, total: int | None) -> None:
        nonlocal quarter
        if quarter < 0:
            quarter = 0
            print(f"  {label}" + (f" ({total / 1e6:.1f} MB)" if total else ""), flush=True)
        if total and min(done * 4 // total, 4) > quarter:
            quarter = min(done * 4 // total, 4)
            print(f"    {quarter * 25}% of {total / 1e6:.1f} MB", flush=True)

    return show


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
