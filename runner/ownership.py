"""What marks an object as the lab's own, and which participant names are usable.

The labels themselves and the namespace formula are built in runner.placement.

The lab only ever deletes or changes objects carrying these labels.
"""

import re

MANAGED_BY_KEY = "app.kubernetes.io/managed-by"
MANAGED_BY = "crashlab"
LAB_KEY = "crashlab.dev/lab"
SCENARIO_KEY = "crashlab.dev/scenario"
PARTICIPANT_KEY = "crashlab.dev/participant"

# A selector that matches everything the lab created (usable with any API list call).
OWNED_SELECTOR = f"{MANAGED_BY_KEY}={MANAGED_BY}"

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
MAX_PARTICIPANT_LEN = 30  # keeps the namespace (runner.placement) within 63


def is_owned(labels: dict | None) -> bool:
    """True when an object's labels say the lab created it."""
    return (labels or {}).get(MANAGED_BY_KEY) == MANAGED_BY


def check_participant(name: str) -> str | None:
    """Return why `name` is not a usable participant name, or None when it is."""
    return _check_label(name, MAX_PARTICIPANT_LEN)


def check_namespace(name: str) -> str | None:
    """Return why `name` is not a valid namespace name (a DNS-1123 label), or None."""
    return _check_label(name, 63)


def _check_label(name: str, longest: int) -> str | None:
    if not name:
        return "is empty"
    if len(name) > longest:
        return f"is {len(name)} characters long; use at most {longest}"
    if not _DNS1123_LABEL.match(name):
        return "must be lower-case letters, digits and '-', starting and ending with a letter or digit"
    return None


def participant_from_user(user: str) -> str:
    """Derive a valid participant name from a login name ('Jane.Doe' -> 'jane-doe')."""
    slug = re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-")[:MAX_PARTICIPANT_LEN].strip("-")
    return slug or "learner"
