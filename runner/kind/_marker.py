"""The record of which kind clusters crashlab created on this machine.

`kind create` gives a cluster no place of its own for extra metadata that
survives without the API, so crashlab keeps one small JSON file per cluster
under ~/.crashlab/clusters/ naming the node containers it created (by Docker
container ID). A cluster counts as the lab's only while those exact
containers still exist: one deleted and re-created by hand under the same
name is not the lab's anymore.
"""

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """~/.crashlab, or $CRASHLAB_STATE_DIR when set."""
    environ = os.environ if environ is None else environ
    override = environ.get("CRASHLAB_STATE_DIR")
    if override:
        return Path(override)
    home = environ.get("HOME")
    return (Path(home) if home else Path.home()) / ".crashlab"


def marker_path(name: str, environ: Mapping[str, str] | None = None) -> Path:
    return state_dir(environ) / "clusters" / f"{name}.json"


def write_marker(name: str, node_ids: Mapping[str, str], node_image: str,
                 environ: Mapping[str, str] | None = None) -> Path:
    path = marker_path(name, environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"cluster": name, "nodes": dict(node_ids), "node_image": node_image,
              "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def read_marker(name: str, environ: Mapping[str, str] | None = None) -> dict | None:
    """The record for `name`, or None when there is none or it is unreadable."""
    try:
        record = json.loads(marker_path(name, environ).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("nodes"), dict) else None


def remove_marker(name: str, environ: Mapping[str, str] | None = None) -> None:
    marker_path(name, environ).unlink(missing_ok=True)
