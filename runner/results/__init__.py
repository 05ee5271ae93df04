"""Results files (schema crashlab.dev/results/v1): validate, sign, save atomically, verify.

The record builder and its state changes are `runner.results.records`.

Pure apart from reading and writing the one file it is given. The format is
documented in docs/results.md and checked by runner/schemas/results-v1.json.
A signature is HMAC-SHA256 over the canonical form: the record without
`signature`, JSON with sorted keys, `separators=(",", ":")`, UTF-8,
`ensure_ascii=False`.

    save_results(record, "results/lab-3-ada.json")      # signs when CRASHLAB_GRADING_KEY is set
    record = load_results("results/lab-3-ada.json")     # InputError (one line) when unreadable
    verify_results(record, key)                          # "ok" | "unsigned" | "tampered" | "invalid"
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from runner.errors import InputError

SCHEMA = "crashlab.dev/results/v1"
KEY_ENV = "CRASHLAB_GRADING_KEY"
ALGORITHM = "HMAC-SHA256"
STATUSES = ("pending", "investigating", "fixing", "verified", "skipped", "revealed")
FINAL_STATUSES = ("verified", "skipped", "revealed")
FIX_SOURCES = ("workspace", "kubectl", "solution")

# What verification can say about a record. "unverified": signed, but no key to check it with.
OK, UNSIGNED, TAMPERED, INVALID, UNVERIFIED = "ok", "unsigned", "tampered", "invalid", "unverified"
VERDICTS = (OK, UNSIGNED, TAMPERED, INVALID, UNVERIFIED)

_SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "results-v1.json"


class InvalidResults(InputError):
    """A results record does not follow schema v1 (the message names the field)."""


@dataclass(frozen=True)
class Verification:
    """What `inspect_results` found: a verdict from VERDICTS and a one-line reason."""

    status: str
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK


# --------------------------------------------------------------------------- building records

def now_iso(moment: datetime.datetime | None = None) -> str:
    """UTC time as the results file writes it: 2026-11-25T10:00:00Z."""
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text) -> datetime.datetime | None:
    """A results-file timestamp as an aware datetime; None when absent or malformed."""
    if not isinstance(text, str) or not text.endswith("Z"):
        return None
    try:
        return datetime.datetime.fromisoformat(text[:-1]).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


# ------------------------------------------------------------------------------ validation

@functools.lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(_SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_problems(record) -> list[str]:
    """Every way `record` breaks schema v1, as 'dotted.path: message' lines (empty: valid).

    Checks the JSON Schema in runner/schemas/results-v1.json with a small evaluator
    of the keywords that file uses (fast enough to grade a thousand files in well
    under a second; the tests compare it with the `jsonschema` package).
    """
    if not isinstance(record, dict):
        return [f"(top level): expected a JSON object, got {type(record).__name__}"]
    if record.get("schema") != SCHEMA:
        return [f"schema: expected {SCHEMA!r}, got {record.get('schema')!r}"]
    schema = _schema()
    if _valid(schema, record, schema["$defs"]):
        return []
    return [f"{_dotted(path) or '(top level)'}: {message}"
            for path, message in _check(schema, record, (), schema["$defs"])]


_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is_type(value, name: str) -> bool:
    if name in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return name == "number" or isinstance(value, int)
    return isinstance(value, _TYPES[name])


@functools.lru_cache(maxsize=1)
def _fast_validator():
    schema = _schema()
    return _Compiler(schema["$defs"]).build(schema)


def _valid(schema: dict, value, defs: dict) -> bool:
    """The fast path: does `value` satisfy the v1 schema (no messages)."""
    return _fast_validator()(value)


class _Compiler:
    """Turn the schema into Python source (one small function per schema node), once.

    Only the keywords results-v1.json uses: $ref, anyOf, const, enum, type,
    minLength, pattern, minimum, required, properties, additionalProperties, items.
    """

    _TYPE_TESTS = {
        "object": "isinstance(v, dict)", "array": "isinstance(v, list)",
        "string": "isinstance(v, str)", "boolean": "isinstance(v, bool)", "null": "v is None",
        "integer": "(isinstance(v, int) and not isinstance(v, bool))",
        "number": "(isinstance(v, (int, float)) and not isinstance(v, bool))",
    }

    def __init__(self, defs: dict):
        self.defs, self.sources, self.values, self.memo = defs, [], {}, {}

    def constant(self, value) -> str:
        name = f"K{len(self.values)}"
        self.values[name] = value
        return name

    def function(self, schema: dict) -> str:
        if "$ref" in schema and len(schema) == 1:
            ref = schema["$ref"].rsplit("/", 1)[-1]
            if ref not in self.memo:
                self.memo[ref] = f"f{len(self.memo)}_{ref}"
                self.sources.append(self.source(self.memo[ref], self.defs[ref]))
            return self.memo[ref]
        name = f"f{len(self.memo)}"
        self.memo[name] = name
        self.sources.append(self.source(name, schema))
        return name

    def source(self, name: str, schema: dict) -> str:
        lines = [f"def {name}(v):"]
        if "$ref" in schema:
            lines.append(f"    if not {self.function({'$ref': schema['$ref']})}(v): return False")
        if "anyOf" in schema:
            calls = " or ".join(f"{self.function(option)}(v)" for option in schema["anyOf"])
            lines.append(f"    if not ({calls}): return False")
        if "const" in schema:
            lines.append(f"    if v != {self.constant(schema['const'])}: return False")
        if "enum" in schema:
            lines.append(f"    if v not in {self.constant(tuple(schema['enum']))}: return False")
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            lines.append(f"    if not ({' or '.join(self._TYPE_TESTS[n] for n in names)}): return False")
        if "minLength" in schema:
            lines.append(f"    if isinstance(v, str) and len(v) < {int(schema['minLength'])}: return False")
        if "pattern" in schema:
            search = self.constant(_pattern(schema["pattern"]).search)
            lines.append(f"    if isinstance(v, str) and {search}(v) is None: return False")
        if "minimum" in schema:
            lines.append("    if isinstance(v, (int, float)) and not isinstance(v, bool) and "
                         f"v < {self.constant(schema['minimum'])}: return False")
        if "required" in schema or "properties" in schema:
            lines += self.object_lines(schema)
        if "items" in schema:
            item = self.function(schema["items"])
            lines.append("    if isinstance(v, list):")
            lines.append("        for x in v:")
            lines.append(f"            if not {item}(x): return False")
        lines.append("    return True")
        return "\n".join(lines)

    def object_lines(self, schema: dict) -> list[str]:
        lines = ["    if isinstance(v, dict):"]
        for key in schema.get("required", ()):
            lines.append(f"        if {key!r} not in v: return False")
        properties = schema.get("properties", {})
        for key, sub in properties.items():
            check = self.function(sub)
            lines.append(f"        x = v.get({key!r}, MISSING)")
            lines.append(f"        if x is not MISSING and not {check}(x): return False")
        if schema.get("additionalProperties") is False:
            allowed = self.constant(frozenset(properties))
            lines.append(f"        for k in v:")
            lines.append(f"            if k not in {allowed}: return False")
        return lines

    def build(self, schema: dict):
        root = self.function(schema)
        namespace = {"MISSING": object(), **self.values}
        exec(compile("\n\n".join(self.sources), "<results-v1 validator>", "exec"), namespace)  # noqa: S102
        return namespace[root]


def _check(schema: dict, value, path: tuple, defs: dict) -> list[tuple[tuple, str]]:
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        if any(not _check(option, value, path, defs) for option in schema["anyOf"]):
            return []
        return [(path, f"{_show(value)} is not valid here")]
    if "const" in schema and value != schema["const"]:
        return [(path, f"expected {schema['const']!r}, got {_show(value)}")]
    if "enum" in schema and value not in schema["enum"]:
        return [(path, f"{_show(value)} is not one of {', '.join(map(str, schema['enum']))}")]
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(_is_type(value, name) for name in names):
            return [(path, f"expected {' or '.join(names)}, got {_show(value)}")]
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return [(path, "must not be empty")]
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            return [(path, f"{value!r} does not match {schema['pattern']}")]
    if _is_type(value, "number") and "minimum" in schema and value < schema["minimum"]:
        return [(path, f"{value} is less than {schema['minimum']}")]
    found = []
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                found.append((path, f"{key!r} is a required property"))
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                found += _check(properties[key], item, path + (key,), defs)
            elif schema.get("additionalProperties") is False:
                found.append((path + (key,), "unexpected property"))
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += _check(schema["items"], item, path + (index,), defs)
    return found


@functools.lru_cache(maxsize=None)
def _pattern(text: str):
    import re

    return re.compile(text)


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ------------------------------------------------------------------------------- signing

def canonical_bytes(record: dict) -> bytes:
    """The bytes a signature covers: the record without `signature`, canonical JSON."""
    body = {key: value for key, value in record.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_bytes(key: str | bytes) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8")


def key_id(key: str | bytes) -> str:
    """A short, non-secret name for a key: 'sha256:' + 16 hex digits of its hash."""
    return "sha256:" + hashlib.sha256(key_bytes(key)).hexdigest()[:16]


def sign_results(record: dict, key: str | bytes) -> dict:
    """A copy of `record` with a fresh signature."""
    value = hmac.new(key_bytes(key), canonical_bytes(record), hashlib.sha256).hexdigest()
    signed = {k: v for k, v in record.items() if k != "signature"}
    signed["signature"] = {"algorithm": ALGORITHM, "keyId": key_id(key), "value": value}
    return signed


def inspect_results(record, key: str | bytes | None) -> Verification:
    """Check schema and signature; never raises."""
    problems = schema_problems(record)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Verification(INVALID, problems[0] + more)
    signature = record.get("signature")
    if signature is None:
        return Verification(UNSIGNED, "no signature: it was written without CRASHLAB_GRADING_KEY")
    if not key:
        return Verification(UNVERIFIED, "signed, but no key was given to check it")
    if signature["keyId"] != key_id(key):
        return Verification(TAMPERED, f"signed with another key ({signature['keyId']}, "
                            f"this key is {key_id(key)})")
    expected = hmac.new(key_bytes(key), canonical_bytes(record), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature["value"]):
        return Verification(TAMPERED, "the signature does not match the content: "
                            "the file was changed after the lab wrote it")
    return Verification(OK, "signature valid")


def verify_results(record, key: str | bytes | None) -> str:
    """'ok', 'unsigned', 'tampered' or 'invalid' ('unverified' when signed and `key` is empty)."""
    return inspect_results(record, key).status


def key_from_env(environ=None, name: str = KEY_ENV) -> str | None:
    """The grading key from the environment, or None when unset or empty."""
    value = (os.environ if environ is None else environ).get(name)
    return value or None


# ------------------------------------------------------------------------------ files

def save_results(record: dict, path, key: str | bytes | None = None, *, environ=None) -> dict:
    """Validate, sign (with `key`, else $CRASHLAB_GRADING_KEY when set) and write atomically.

    The file is written to a temporary file in the same folder, flushed to disk
    and moved over `path` with os.replace, then the folder is flushed too, so
    readers see the old or the new file, never half of one, and a crash (even
    `kill -9` or a power cut) keeps the last step saved. Returns the record as written.
    """
    problems = schema_problems(record)
    if problems:
        raise InvalidResults(f"refusing to write {path}: {problems[0]}")
    key = key or key_from_env(environ)
    data = sign_results(record, key) if key else {k: v for k, v in record.items()
                                                  if k != "signature"}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return data


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX: the directory entry lives in the folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some platforms (Windows) cannot open a folder: the rename is all there is
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def read_results_text(text: str, source: str = "<results>"):
    """Parse results JSON text; InputError (one line) when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError as error:
        stripped = text.rstrip()
        hint = "" if stripped.endswith("}") else " (truncated?)"
        where = f" (line {getattr(error, 'lineno', '?')}, column {getattr(error, 'colno', '?')})"
        raise InputError(f"{source}: not valid JSON{hint}: {getattr(error, 'msg', error)}{where}; "
                         "restore the file the lab wrote") from None


def load_progress(path) -> dict | None:
    """The session's saved record, or None when the lab has not been started yet."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        return load_results(path)
    except InputError as problem:
        raise InputError(f"{problem} — to start this lab afresh, move {path} away") from None


def load_results(path) -> dict:
    """Read one results file; InputError when it cannot be read or is not a v1 record."""
    path = Path(path)
    from runner.textfile import read_text_file

    try:
        text = read_text_file(path, "restore the results file the lab wrote")
    except FileNotFoundError:
        raise InputError(f"{path}: no such results file; check the path") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read it ({error}); check the file") from None
    record = read_results_text(text, str(path))
    problems = schema_problems(record)
    if problems:
        raise InvalidResults(f"{path}: {problems[0]}")
    return record


def is_final(entry: dict) -> bool:
    return entry.get("status") in FINAL_STATUSES


# ------------------------------------------------------------------------------ JUnit

def to_junit(checked) -> str:
    """JUnit XML for graders: one suite per results file, one case per scenario.

    `checked` is a list of (source, record or None, Verification). A file whose
    verdict is not ok gets a failing `signature` case; `verified` scenarios pass,
    `skipped` ones are skipped, `revealed` and unfinished ones fail.
    """
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="crashlab results")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for source, record, verdict in checked:
        record = record if isinstance(record, dict) else {}
        name = f"{record.get('lab', '?')}/{record.get('participant', '?')}"
        suite = ET.SubElement(root, "testsuite", name=name, file=str(source))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        case = ET.SubElement(suite, "testcase", classname=name, name="signature")
        counts["tests"] += 1
        if verdict.status != OK:
            counts["failures"] += 1
            ET.SubElement(case, "failure", type=verdict.status,
                          message=f"{verdict.status}: {verdict.reason}")
        for entry in record.get("scenarios") or [] if verdict.status != INVALID else []:
            _junit_case(suite, name, entry, counts)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_case(suite, classname: str, entry: dict, counts: dict) -> None:
    import xml.etree.ElementTree as ET

    seconds = entry.get("timeToFixSeconds") or 0
    case = ET.SubElement(suite, "testcase", classname=classname, name=str(entry.get("id")),
                         time=f"{float(seconds):.1f}")
    counts["tests"] += 1
    status = entry.get("status")
    if status == "verified":
        return
    if status == "skipped":
        counts["skipped"] += 1
        ET.SubElement(case, "skipped", message="skipped by the participant")
        return
    counts["failures"] += 1
    message = ("solution revealed" if status == "revealed"
               else f"not finished (status {status})")
    ET.SubElement(case, "failure", type=str(status), message=message)
