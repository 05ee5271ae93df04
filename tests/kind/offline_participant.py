"""A participant's machine with no network at all, run inside `unshare --net` by
tests/kind/test_kit_offline.py:

    unshare --net python -m tests.kind.offline_participant CONFIG.json

Brings up loopback (a new network namespace has only `lo`, down), tries one public
address to prove nothing gets out, clones the lab from the kit's git bundle, serves the
API emulator on 127.0.0.1 as kind's context of the lab's cluster (kind-crashlab) and runs
`make lab-3 KIT=...` in the clone. Writes what happened as JSON to the config's "report"
path.
"""

import errno
import fcntl
import json
import socket
import struct
import subprocess
import sys
from pathlib import Path

# linux/sockios.h and linux/if.h: read and set an interface's flags (ifreq: 16-byte name,
# then a short of flags, padded to the union's size).
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
# RFC 5737 TEST-NET-1: documentation only, never a real host, so the probe reaches nobody.
PUBLIC_PROBE = ("192.0.2.1", 443)


def loopback_up() -> None:
    """`ip link set lo up` without iproute2, which is not on every machine."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh22x", b"lo", 0)
        flags = struct.unpack("16sh22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags | IFF_UP))


def probe_public() -> str:
    """The errno name a connect to a public address ends with ("connected" if it worked)."""
    try:
        with socket.create_connection(PUBLIC_PROBE, timeout=5):
            return "connected"
    except OSError as problem:
        return errno.errorcode.get(problem.errno, str(problem))


def run(config: dict) -> dict:
    environ, clone = config["environ"], config["clone"]
    report = {"public": probe_public()}
    cloned = subprocess.run(["git", "clone", "--quiet", config["bundle"], clone], env=environ,
                            capture_output=True, text=True, timeout=120, check=False)
    report["clone"] = {"code": cloned.returncode, "err": cloned.stderr}
    if cloned.returncode != 0:
        return report
    with open(config["emulator_log"], "w") as log:
        emulator = subprocess.Popen(
            [sys.executable, "-m", "tests.session.serve_harness", "--time-scale", "0.02",
             "--dir", config["emulator_dir"], "--context", "kind-crashlab"],
            cwd=config["checkout"], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        kubeconfig = emulator.stdout.readline().strip()
        made = subprocess.run(["make", "-s", "-C", clone, "lab-3", f"KIT={config['kit']}",
                               f"ARGS={config['args']}"],
                              env={**environ, "KUBECONFIG": kubeconfig},
                              capture_output=True, text=True, timeout=900, check=False)
        report["make"] = {"code": made.returncode, "out": made.stdout, "err": made.stderr}
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
    return report


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[0]).read_text())
    loopback_up()
    Path(config["report"]).write_text(json.dumps(run(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
