"""The emulator's in-memory object store: resourceVersions, history for watches, selectors."""

from __future__ import annotations

import copy
import datetime
import threading
import time
import uuid


class ApiError(Exception):
    """An error the API answers with a Kubernetes Status body."""

    def __init__(self, code: int, reason: str, message: str):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message

    def status(self) -> dict:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}


def now_rfc3339() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (also used for strategic merge: lists are replaced)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def lookup(obj: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def label_selector_matches(selector: str | None, labels: dict | None) -> bool:
    labels = labels or {}
    for term in _split_terms(selector or ""):
        if " notin " in term:
            key, values = term.split(" notin ", 1)
            ok = labels.get(key.strip()) not in _set_values(values)
        elif " in " in term:
            key, values = term.split(" in ", 1)
            ok = labels.get(key.strip()) in _set_values(values)
        elif "!=" in term:
            key, value = term.split("!=", 1)
            ok = labels.get(key.strip()) != value.strip()
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            ok = labels.get(key.strip()) == value.strip()
        elif term.startswith("!"):
            ok = term[1:].strip() not in labels
        else:
            ok = term in labels
        if not ok:
            return False
    return True


def field_selector_matches(selector: str | None, obj: dict) -> bool:
    for term in _split_terms(selector or ""):
        negate = "!=" in term
        key, value = term.split("!=" if negate else "=", 1)
        actual = lookup(obj, key.replace("==", "").strip())
        if (str(actual) if actual is not None else "") == value.lstrip("=").strip():
            if negate:
                return False
        elif not negate:
            return False
    return True


def _split_terms(selector: str) -> list[str]:
    terms, depth, current = [], 0, ""
    for char in selector:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            terms.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        terms.append(current.strip())
    return terms


def _set_values(text: str) -> set[str]:
    return {v.strip() for v in text.strip().strip("()").split(",")}


class Store:
    """Objects keyed by (resource, namespace, name); every change is a numbered event."""

    def __init__(self):
        self.changed = threading.Condition()
        self._objects: dict[tuple[str, str, str], dict] = {}
        self._history: list[tuple[int, str, str, dict]] = []  # (rv, resource, type, object)
        self._version = 100
        self.compacted = 0  # watches from a resourceVersion below this get 410 Gone
        self.recorded_at: dict[int, float] = {}  # resourceVersion -> time.monotonic() of the write

    @property
    def version(self) -> int:
        return self._version

    def _record(self, resource: str, kind: str, obj: dict) -> dict:
        self._version += 1
        self.recorded_at[self._version] = time.monotonic()
        obj["metadata"]["resourceVersion"] = str(self._version)
        self._history.append((self._version, resource, kind, copy.deepcopy(obj)))
        self.changed.notify_all()
        return copy.deepcopy(obj)

    def get(self, resource: str, namespace: str, name: str) -> dict:
        with self.changed:
            obj = self._objects.get((resource, namespace, name))
            if obj is None:
                raise ApiError(404, "NotFound", f'{resource} "{name}" not found')
            return copy.deepcopy(obj)

    def exists(self, resource: str, namespace: str, name: str) -> bool:
        with self.changed:
            return (resource, namespace, name) in self._objects

    def list(self, resource: str, namespace: str | None, labels: str | None = None,
             fields: str | None = None) -> tuple[list[dict], int]:
        with self.changed:
            items = [copy.deepcopy(o) for (r, ns, _), o in sorted(self._objects.items())
                     if r == resource and (namespace is None or ns == namespace)
                     and label_selector_matches(labels, o["metadata"].get("labels"))
                     and field_selector_matches(fields, o)]
            return items, self._version

    def create(self, resource: str, namespace: str, obj: dict, generation: bool) -> dict:
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        name = meta.get("name")
        if not name:
            raise ApiError(422, "Invalid", f"{resource}: metadata.name: Required value")
        with self.changed:
            if (resource, namespace, name) in self._objects:
                raise ApiError(409, "AlreadyExists", f'{resource} "{name}" already exists')
            if namespace:
                meta["namespace"] = namespace
            meta.pop("resourceVersion", None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            if generation:
                meta["generation"] = 1
            self._objects[(resource, namespace, name)] = obj
            return self._record(resource, "ADDED", obj)

    def update(self, resource: str, namespace: str, name: str, change, *,
               subresource: str | None = None, expect_version: str | None = None) -> dict:
        """Apply `change(old) -> new` atomically; the main resource ignores status, /status only
        takes status (as the API server does for kinds with a status subresource)."""
        with self.changed:
            old = self._objects.get((resource, namespace, name))
            if old is None:
                raise ApiError(404, "NotFound", f'{resource} "{name}" not found')
            current = old["metadata"]["resourceVersion"]
            if expect_version and expect_version != current:
                raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {resource} '
                               f'"{name}": the object has been modified; please apply your '
                               "changes to the latest version and try again")
            new = change(copy.deepcopy(old))
            if subresource == "status":
                merged = copy.deepcopy(old)
                merged["status"] = new.get("status")
            else:
                merged = new
                if "status" in old:
                    merged["status"] = old["status"]
                else:
                    merged.pop("status", None)
                for key in ("uid", "creationTimestamp", "namespace", "name", "generation",
                            "deletionTimestamp"):
                    if key in old["metadata"]:
                        merged["metadata"][key] = old["metadata"][key]
                if "generation" in old["metadata"] and merged.get("spec") != old.get("spec"):
                    merged["metadata"]["generation"] = old["metadata"]["generation"] + 1
            if merged == old:
                return copy.deepcopy(old)  # a no-op write changes nothing, not even the version
            self._objects[(resource, namespace, name)] = merged
            return self._record(resource, "MODIFIED", merged)

    def delete(self, resource: str, namespace: str, name: str) -> dict:
        with self.changed:
            obj = self._objects.pop((resource, namespace, name), None)
            if obj is None:
                raise ApiError(404, "NotFound", f'{resource} "{name}" not found')
            return self._record(resource, "DELETED", obj)

    def delete_namespace_contents(self, namespace: str) -> None:
        with self.changed:
            for key in [k for k in self._objects if k[1] == namespace]:
                self._record(key[0], "DELETED", self._objects.pop(key))

    def history_since(self, version: int, resource: str) -> list[tuple[int, str, dict]]:
        """Changes to `resource` after `version` (caller holds `changed`)."""
        if version < self.compacted:
            raise ApiError(410, "Expired", f"too old resource version: {version} "
                                           f"({self.compacted})")
        return [(v, t, o) for v, r, t, o in self._history if v > version and r == resource]

    def changes_since(self, version: int) -> list[tuple[int, str, str, dict]] | None:
        """Every change after `version`, or None when history was compacted past it."""
        with self.changed:
            if version < self.compacted:
                return None
            return [h for h in self._history if h[0] > version]

    def compact(self) -> None:
        """Forget history up to now: older resourceVersions get 410 Gone from now on."""
        with self.changed:
            self.compacted = self._version
            self._history.clear()
            self.changed.notify_all()
