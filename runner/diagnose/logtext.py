"""Find the decisive line in container logs and the cause it points at.

Each pattern has a weight: when several match, the most specific wins (a
named missing setting beats the generic "APPLICATION FAILED TO START" banner).
"""

import re
from dataclasses import dataclass

# (weight, cause, pattern, the look-alike the same line leaves open or None)
_TABLE = (
    (96, "bad_command", r"exec format error|executable file not found|exec user process caused", None),
    (94, "bad_command", r"^\s*exec [^:]+: no such file or directory", None),
    (92, "bad_command", r"(?:^|/)(?:ba|da)?sh: (?:\d+: )?(?:line \d+: )?[^:]+: (?:command )?not found", None),
    # A shell's redirection, mkdir and open failures are permissions (dash "cannot create",
    # busybox "can't create", coreutils "cannot create directory"); `sh: <file>: Permission
    # denied` is also what a shell prints for a script without the exec bit (then exit 126).
    (93, "permissions", r"(?:cannot|can't) (?:create|open|touch|remove|write)(?: directory| regular file)?"
                        r" .*Permission denied|: cannot create directory .*Permission denied", None),
    (91, "permissions", r"(?:^|/)(?:ba|da)?sh: (?:\d+: )?(?:line \d+: )?[^:]+: Permission denied$",
     "bad_command"),
    # The ResourceQuota admission's denial (apiserver admission/plugin/resourcequota
    # controller.go "exceeded quota: %s, requested: %s, used: %s, limited: %s"; before 1.x
    # "Exceeded quota"), pasted as a bare line or from a ReplicaSet's FailedCreate event.
    (97, "quota_limit", r"is forbidden: exceeded quota: ", None),
    # EMFILE/ENFILE, errno 24/23: strerror "Too many open files" (Go's net/http "accept4: too
    # many open files", Python "[Errno 24]", Java "IOException: Too many open files").
    (89, "quota_limit", r"too many open files|\bE[MN]FILE\b|\[Errno 2[34]\]", None),
    (90, "app_config", r"Could not resolve placeholder", None),
    (90, "app_config", r"unbound variable|parameter (?:null or )?not set", None),
    (90, "app_config", r"ImproperlyConfigured|Missing `secret_key_base`|secret_key_base", None),
    (90, "app_config", r"SRCFG\d+|ConfigurationException|config property \S+ is required"
                       r"|required key \S+ missing value|envconfig\.Process", None),
    # The API server's RBAC denial for the pod's ServiceAccount (apiserver responsewriters
    # forbiddenMessage inside apimachinery NewForbidden): the pod runs as the wrong identity.
    (88, "permissions", r'is forbidden: User "system:serviceaccount:[^"]+" cannot \w+ resource', None),
    (88, "permissions", r"Read-only file system|\bEROFS\b", None),
    (87, "permissions", r"Permission denied|\bEACCES\b|errno 13\b|AccessDeniedException"
                        r"|UnauthorizedAccessException|Operation not permitted|\bEPERM\b", None),
    (86, "app_config", r"yaml: (?:unmarshal errors|line \d+)|json: cannot unmarshal|toml: (?:line|expected)"
                       r"|invalid character .* looking for beginning|cannot unmarshal|ParserError"
                       r"|YAMLException|JSONDecodeError|Unexpected token .* in JSON|mapping values are not allowed",
     None),
    (85, "app_config", r"ArgumentNullException|InvalidOperationException: Unable to resolve service", None),
    (84, "app_config", r"(?:Missing|required) (?:required )?(?:environment variable|env var|"
                       r"configuration|setting|property|config)|is not set\b|must be set\b"
                       r"|(?:failed to|could not|cannot|unable to) (?:load|read|parse) (?:the )?config"
                       r"|(?:error|failed) (?:loading|reading|parsing) config|invalid config(?:uration)?\b"
                       r"|KeyError: '[A-Z][A-Z0-9_]+'|key not found: \"[A-Z][A-Z0-9_]+\"", None),
    (80, "app_config", r"BeanCreation(?:Exception|Error)|UnsatisfiedDependencyException"
                       r"|NoSuchBeanDefinitionException", None),
    (78, "liveness_probe", r"\bkube-probe/\d+\.\d+\S*.*\b(?:40[0-9]|5\d\d)\b"
                           r"|\b(?:40[0-9]|5\d\d)\b.*\bkube-probe/\d+", "readiness_probe"),
    (75, "app_config", r"password authentication failed|Access denied for user"
                       r"|authentication failed", None),
    (72, "app_config", r"connection refused|ECONNREFUSED|connect(?:ion)? timed out|ETIMEDOUT"
                       r"|Communications link failure|could not connect to (?:server|database)"
                       r"|Unable to connect to|No route to host|Name or service not known"
                       r"|getaddrinfo \w+|could not translate host name|ConnectionNotEstablished"
                       r"|PG::ConnectionBad|OperationalError", None),
    (65, "app_config", r"Host terminated unexpectedly|Failed to start (?:application|quarkus)", None),
    (60, "app_config", r"APPLICATION FAILED TO START", None),
    (40, "app_config", r"FileNotFoundError|No such file or directory|Cannot find module"
                       r"|ModuleNotFoundError|ClassNotFoundException|ENOENT", None),
)
_PATTERNS = tuple((weight, cause, re.compile(pattern, re.I), alternative)
                  for weight, cause, pattern, alternative in sorted(_TABLE, key=lambda row: -row[0]))

# Lines that are noise even when they contain a keyword (e.g. "0 errors").
_MAX_LINE = 240


@dataclass(frozen=True)
class LogClue:
    cause: str
    line: str
    weight: int
    alternative: str | None = None


def find_log_clue(text: str | None) -> LogClue | None:
    """The strongest clue in the log text, or None when nothing points at a cause."""
    if not text:
        return None
    best: LogClue | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or len(line) > 4000:
            continue
        for weight, cause, pattern, alternative in _PATTERNS:
            if best is not None and weight <= best.weight:
                break
            if pattern.search(line):
                best = LogClue(cause, _shorten(line), weight, alternative)
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
