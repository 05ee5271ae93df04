"""A small declarative validator that reports every problem with a dotted path.

A schema is a tree of nodes (Obj, ListOf, Str, Int, Bool, Any, OneOf); `validate`
walks data against it and returns `(path, message)` pairs. Unknown keys are
errors with a "did you mean" suggestion, because typos in hand-written YAML
are the commonest mistake an author makes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any as AnyType

Problem = tuple[str, str]


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "true/false",
            int: "a number", float: "a number", type(None): "empty"}.get(type(value), type(value).__name__)


@dataclass
class Str:
    pattern: str | None = None
    choices: tuple[str, ...] | None = None
    min_len: int = 1

    def check(self, value, path):
        if not isinstance(value, str):
            return [(path, f"must be a string, got {_type_name(value)}")]
        if len(value.strip()) < self.min_len:
            return [(path, "must not be empty")]
        if self.choices is not None and value not in self.choices:
            return [(path, f"{value!r} is not one of: {', '.join(self.choices)}")]
        if self.pattern and not re.fullmatch(self.pattern, value):
            return [(path, f"{value!r} does not match {self.pattern}")]
        return []


@dataclass
class Int:
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value, path):
        if isinstance(value, bool) or not isinstance(value, int):
            return [(path, f"must be a whole number, got {_type_name(value)}")]
        if self.minimum is not None and value < self.minimum:
            return [(path, f"must be at least {self.minimum}, got {value}")]
        if self.maximum is not None and value > self.maximum:
            return [(path, f"must be at most {self.maximum}, got {value}")]
        return []


@dataclass
class Bool:
    def check(self, value, path):
        return [] if isinstance(value, bool) else [(path, f"must be true or false, got {_type_name(value)}")]


@dataclass
class Any:
    """Free-form data (checked elsewhere, e.g. partial-match expectations)."""

    kind: type | None = None

    def check(self, value, path):
        if self.kind is not None and not isinstance(value, self.kind):
            return [(path, f"must be {_type_name(self.kind())}, got {_type_name(value)}")]
        return []


@dataclass
class ListOf:
    item: AnyType
    min_items: int = 0
    max_items: int | None = None

    def check(self, value, path):
        if not isinstance(value, list):
            return [(path, f"must be a list, got {_type_name(value)}")]
        problems: list[Problem] = []
        if len(value) < self.min_items:
            problems.append((path, f"needs at least {self.min_items} item(s), has {len(value)}"))
        if self.max_items is not None and len(value) > self.max_items:
            problems.append((path, f"allows at most {self.max_items} item(s), has {len(value)}"))
        for index, item in enumerate(value):
            problems += self.item.check(item, _join(path, index))
        return problems


@dataclass
class Obj:
    required: dict[str, AnyType]
    optional: dict[str, AnyType] = field(default_factory=dict)

    def check(self, value, path):
        if not isinstance(value, dict):
            return [(path or "(top level)", f"must be a mapping, got {_type_name(value)}")]
        problems: list[Problem] = []
        known = {**self.required, **self.optional}
        for key in self.required:
            if key not in value:
                problems.append((_join(path, key), "is required"))
        for key, item in value.items():
            node = known.get(key)
            if node is None:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(known)}"
                problems.append((_join(path, key), f"unknown field{suggestion}"))
            else:
                problems += node.check(item, _join(path, key))
        return problems


def validate(data, schema) -> list[Problem]:
    """Every problem found in `data`, in document order."""
    return schema.check(data, "")
