"""Find the decisive line in container logs and the cause it points at.

Each pattern has a weight: when several match, the most specific wins (a
named missing setting beats the generic "APPLICATION FAILED TO START" banner).
"""

import re
from dataclasses import dataclass

_PATTERNS: tuple[tuple[int, str, re.Pattern], ...] = tuple(
    (weight, cause, re.compile(pattern, re.I)) for weight, cause, pattern in (
        (95, "bad_command", r"exec format error|executable file not found"),
        (94, "bad_command", r"^\s*exec [^:]+: no such file or directory"),
        (92, "bad_command", r"(?:^|/)(?:ba|da)?sh: (?:\d+: )?(?:line \d+: )?[^:]+: (?:command )?not found"),
        (92, "bad_command", r"(?:^|/)(?:ba|da)?sh: (?:\d+: )?[^:]+: Permission denied$"),
        (90, "app_config", r"Could not resolve placeholder"),
        (90, "app_config", r"unbound variable"),
        (90, "app_config", r"ImproperlyConfigured"),
        (88, "permissions", r"Read-only file system|\bEROFS\b"),
        # The API server's RBAC denial for the pod's ServiceAccount (apiserver responsewriters
        # forbiddenMessage inside apimachinery NewForbidden): the pod runs as the wrong identity.
        (88, "permissions", r'is forbidden: User "system:serviceaccount:[^"]+" cannot \w+ resource'),
        (87, "permissions", r"Permission denied|\bEACCES\b|errno 13\b|AccessDeniedException"
                            r"|UnauthorizedAccessException|Operation not permitted|\bEPERM\b"),
        (85, "app_config", r"ArgumentNullException|InvalidOperationException: Unable to resolve service"),
        (84, "app_config", r"(?:Missing|required) (?:required )?(?:environment variable|env var|"
                           r"configuration|setting|property)|is not set\b|must be set\b"),
        (80, "app_config", r"BeanCreation(?:Exception|Error)|UnsatisfiedDependencyException"
                           r"|NoSuchBeanDefinitionException"),
        (75, "app_config", r"password authentication failed|Access denied for user"
                           r"|authentication failed"),
        (72, "app_config", r"connection refused|ECONNREFUSED|connect(?:ion)? timed out|ETIMEDOUT"
                           r"|Communications link failure|could not connect to (?:server|database)"
                           r"|Unable to connect to|No route to host|Name or service not known"
                           r"|getaddrinfo \w+|could not translate host name"),
        (65, "app_config", r"Host terminated unexpectedly"),
        (60, "app_config", r"APPLICATION FAILED TO START"),
        (40, "app_config", r"FileNotFoundError|No such file or directory|Cannot find module"
                           r"|ModuleNotFoundError|ClassNotFoundException"),
    )
)

# Lines that are noise even when they contain a keyword (e.g. "0 errors").
_MAX_LINE = 240


@dataclass(frozen=True)
class LogClue:
    cause: str
    line: str
    weight: int


def find_log_clue(text: str | None) -> LogClue | None:
    """The strongest clue in the log text, or None when nothing points at a cause."""
    if not text:
        return None
    best: LogClue | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or len(line) > 4000:
            continue
        for weight, cause, pattern in _PATTERNS:
            if best is not None and weight <= best.weight:
                break
            if pattern.search(line):
                best = LogClue(cause, _shorten(line), weight)
                break
    return best


def last_error_line(text: str | None) -> str | None:
    """The last line that looks like an error, for evidence when no pattern matched."""
    if not text:
        return None
    for raw in reversed(text.splitlines()):
        line = raw.strip()
        if re.search(r"\b(error|fatal|panic|exception|traceback|failed)\b", line, re.I):
            return _shorten(line)
    return None


def _shorten(line: str) -> str:
    return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…"
