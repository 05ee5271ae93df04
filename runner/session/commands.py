"""Which printed kubectl commands work where the learner is. Pure.

`kubectl top` reads the metrics API (metrics.k8s.io, served by metrics-server, which kind
does not install); `kubectl port-forward` needs `create` on pods/portforward, which the
workshop participant's Role (runner/workshop.py) does not grant.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Abilities:
    metrics: bool        # the metrics API answers
    port_forward: bool   # the learner may port-forward in the scenario's namespace


def needs(command: str) -> set[str]:
    words = command.split()
    found = set()
    if words[:2] == ["kubectl", "top"]:
        found.add("metrics")
    if "port-forward" in words[:3]:
        found.add("port_forward")
    return found


def usable(commands, abilities: Abilities) -> list[str]:
    """The commands that work with these abilities, in their order."""
    return [c for c in commands if all(getattr(abilities, need) for need in needs(c))]
