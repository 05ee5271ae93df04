"""Where the lab's data lives: the checkout this package was installed from."""

import os
from pathlib import Path


def project_root() -> Path:
    """The folder holding labs/, scenarios/, manifests/ and images/ (CRASHLAB_HOME overrides)."""
    override = os.environ.get("CRASHLAB_HOME")
    return Path(override) if override else Path(__file__).resolve().parents[1]


def manifests_dir() -> Path:
    return project_root() / "manifests"


def app_image_dir() -> Path:
    return project_root() / "images" / "app"
