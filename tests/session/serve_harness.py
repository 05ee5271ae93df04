"""Serve the API emulator + test kubelet for a manual or tmux run of `crashlab run`.

    python -m tests.session.serve_harness [--time-scale 0.1] [--dir DIR] [--context NAME]

Prints the kubeconfig path on the first line, then serves until interrupted.
"""

import argparse
import tempfile
import threading
from pathlib import Path

from tests.harness.apiserver import Emulator
from tests.harness.kubeconfig import write_kubeconfig
from tests.harness.kubelet import Kubelet

CONTEXT = "kind-crashlab-harness"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--context", default=CONTEXT, help="the kubeconfig's context name")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="crashlab-harness-"))
    emulator = Emulator()
    server = emulator.serve()
    kubeconfig = write_kubeconfig(folder / "kubeconfig", server.url, args.context)
    kubelet = Kubelet(emulator, server.url, time_scale=args.time_scale).start()
    print(kubeconfig, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        kubelet.stop()
        server.close()


if __name__ == "__main__":
    main()
