"""YAML reading with libyaml when present (the pure-Python parser is ~10x slower)."""

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def load(text: str):
    return yaml.load(text, Loader=Loader)


def load_all(text: str) -> list:
    return list(yaml.load_all(text, Loader=Loader))


def compose_all(text: str) -> list:
    return list(yaml.compose_all(text, Loader=Loader))


def error_line(error: Exception) -> int | None:
    """The 1-based line a YAML error points at, if it says."""
    mark = getattr(error, "problem_mark", None)
    return mark.line + 1 if mark is not None else None


def error_column(error: Exception) -> int | None:
    """The 1-based column a YAML error points at, if it says."""
    mark = getattr(error, "problem_mark", None)
    return mark.column + 1 if mark is not None else None


def error_problem(error: Exception) -> str:
    return getattr(error, "problem", None) or str(error).splitlines()[0]
