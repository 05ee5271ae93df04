"""Does the network look absent? A TCP connect to the download hosts only, in parallel.

No HTTP request is sent and no other host is contacted (resolving the host names asks
the system's resolver). Each attempt is bounded and the whole check returns within
PROBE_SECONDS even if name resolution hangs.
"""

import socket
from concurrent.futures import ThreadPoolExecutor, wait

PROBE_SECONDS = 2.0


def _connects(host: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(host, timeout=PROBE_SECONDS):
            return True
    except OSError:
        return False


def unreachable(hosts: list[tuple[str, int]], seconds: float = PROBE_SECONDS
                ) -> list[tuple[str, int]]:
    """The hosts that did not accept a TCP connection within `seconds`."""
    hosts = list(dict.fromkeys(hosts))
    if not hosts:
        return []
    pool = ThreadPoolExecutor(max_workers=len(hosts))
    futures = {pool.submit(_connects, host): host for host in hosts}
    done, _ = wait(futures, timeout=seconds)
    pool.shutdown(wait=False)
    return [host for future, host in futures.items()
            if future not in done or not future.result()]
