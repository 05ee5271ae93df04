"""The learner's copy of each broken manifest: workspace/<lab>/<slug>/<slug>.yaml (the path is
runner.placement.workspace_file's; `slug` is the scenario's neutral name)."""

from __future__ import annotations

import time
from pathlib import Path


from runner.placement import workspace_file as manifest_path


def ensure_copy(workspace: Path, slug: str, broken_text: str) -> tuple[Path, bool]:
    """Write the broken manifest unless a copy is already there (the learner may have edited it).

    Returns (path, created).
    """
    path = manifest_path(workspace, slug)
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(broken_text, encoding="utf-8")
    return path, True


def backup_and_replace(workspace: Path, slug: str, broken_text: str) -> Path | None:
    """Keep the learner's file as <name>.yaml.<timestamp>.bak and put the broken one back."""
    path = manifest_path(workspace, slug)
    backup = None
    if path.exists() and path.read_bytes() != broken_text.encode("utf-8"):
        backup = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
        path.replace(backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(broken_text, encoding="utf-8")
    return backup
