"""Suite-wide safety net: no test may open a connection off this machine.

The product's offline check (runner.kind.reach) connects to the download hosts when kind
or kubectl is missing; every test that reaches it must point CRASHLAB_DOWNLOAD_BASE at a
local server or a closed local port. A test that forgets fails here instead of sending
traffic anywhere.
"""

import ipaddress
import socket

import pytest


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _only_loopback_probes(monkeypatch):
    from runner.kind import reach

    real = reach._connects

    def guarded(host):
        if not _loopback(host[0]):
            raise AssertionError(f"a test tried to reach {host[0]}:{host[1]}: set "
                                 "CRASHLAB_DOWNLOAD_BASE to a local address")
        return real(host)

    monkeypatch.setattr(reach, "_connects", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", _no_remote_lookup(socket.getaddrinfo))


def _no_remote_lookup(real):
    def lookup(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".invalid"):
            # RFC 6761: never resolves; answer as the resolver would, without asking it.
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if isinstance(host, str) and not _loopback(host) and "." in host and not host.endswith(".local"):
            raise AssertionError(f"a test tried to resolve {host}")
        return real(host, *args, **kwargs)
    return lookup
