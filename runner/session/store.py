"""Reading and writing the results file: runner.results when it exists, else a minimal writer.

The minimal writer is atomic (temp file in the same folder + os.replace) and signs
with HMAC-SHA256 when CRASHLAB_GRADING_KEY is set, per docs/results.md.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import os
import tempfile
from pathlib import Path

from runner.errors import InputError


def _results_module():
    try:
        module = importlib.import_module("runner.results")
    except ModuleNotFoundError as missing:
        if missing.name != "runner.results":
            raise
        return None
    return module if hasattr(module, "save_results") and hasattr(module, "load_results") else None


def save(record: dict, path: Path, environ=None) -> None:
    module = _results_module()
    if module is not None:
        module.save_results(record, path, environ=environ)
        return
    _save_minimal(record, Path(path), (environ or os.environ).get("CRASHLAB_GRADING_KEY"))


def load(path: Path) -> dict | None:
    """The saved record, or None when there is none yet."""
    path = Path(path)
    if not path.exists():
        return None
    module = _results_module()
    if module is not None:
        return module.load_results(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        raise InputError(f"cannot read the results file {path}: {problem}; move it away to "
                         "start the lab afresh") from None
    if not isinstance(record, dict) or not isinstance(record.get("scenarios"), list):
        raise InputError(f"{path} is not a crashlab results file; move it away to start afresh")
    return record


def canonical(record: dict) -> bytes:
    body = {key: value for key, value in record.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _save_minimal(record: dict, path: Path, key: str | None) -> None:
    record = dict(record)
    record.pop("signature", None)
    if key:
        record["signature"] = {
            "algorithm": "HMAC-SHA256",
            "keyId": "sha256-" + hashlib.sha256(key.encode()).hexdigest()[:12],
            "value": hmac.new(key.encode(), canonical(record), hashlib.sha256).hexdigest()}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(record, out, indent=2, ensure_ascii=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
