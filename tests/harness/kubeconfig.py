"""Write kubeconfig files pointing at the emulator, as `kind export kubeconfig` would."""

import json
from pathlib import Path


def write_kubeconfig(path: Path, server: str, context: str = "crashlab-test",
                     token: str | None = None, extra_contexts: dict[str, str] | None = None) -> Path:
    """A kubeconfig whose current context is `context` -> `server`.

    `extra_contexts` maps more context names to servers (for error-path tests).
    JSON is valid YAML, so no YAML writer is needed.
    """
    servers = {context: server, **(extra_contexts or {})}
    user = {"token": token} if token else {}
    config = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "current-context": context,
        "clusters": [{"name": name, "cluster": {"server": url}} for name, url in servers.items()],
        "users": [{"name": name, "user": user} for name in servers],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}
                     for name in servers],
    }
    path = Path(path)
    path.write_text(json.dumps(config, indent=2))
    return path
