"""The learner's copy of each broken manifest: workspace/<lab>/<scenario>/<scenario>.yaml."""

from __future__ import annotations

import time
from pathlib import Path


def manifest_path(workspace: Path, scenario_id: str) -> Path:
    return Path(workspace) / scenario_id / f"{scenario_id}.yaml"


def ensure_copy(workspace: Path, scenario_id: str, broken_text: str) -> tuple[Path, bool]:
    """Write the broken manifest unless a copy is already there (the learner may have edited it).

    Returns (path, created).
    """
    path = manifest_path(workspace, scenario_id)
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(broken_text, encoding="utf-8")
    return path, True


def backup_and_replace(workspace: Path, scenario_id: str, broken_text: str) -> Path | None:
    """Keep the learner's file as <name>.yaml.<timestamp>.bak and put the broken one back."""
    path = manifest_path(workspace, scenario_id)
    backup = None
    if path.exists() and path.read_bytes() != broken_text.encode("utf-8"):
        backup = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
        path.replace(backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(broken_text, encoding="utf-8")
    return backup
