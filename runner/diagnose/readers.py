"""Turn whatever people paste into (pod, events, logs) for diagnose().

`read_any` detects the shape; the explicit readers expect one shape. None of
them raise on odd text except `InputError` when nothing usable is found.
"""

import re

from runner.diagnose.read_describe import parse_describe
from runner.diagnose.read_objects import load_documents, looks_structured, pick_pod, split_documents
from runner.diagnose.logtext import find_log_clue
from runner.diagnose.read_tables import (merge_watch_rows, parse_bare_message, parse_event_row,
                                         parse_get_pods_row, strip_prompt)
from runner.errors import InputError

_KUBECTL = re.compile(r"^\s*(?:[\w@.:~/()\[\]\\ -]*[$#%>]\s*)?(?:kubectl|k|oc)\s+(\w[\w-]*)(.*)$")
# Terminal colour and cursor codes (kubectl/stern/k9s output copied with them) and bare CRs.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r(?!\n)")
# What a log line usually carries; prose and random files carry none of it.
_LOG_SIGNAL = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\b\d\d:\d\d:\d\d\b|\b(?:INFO|WARN(?:ING)?|ERROR|DEBUG|FATAL|TRACE|"
    r"CRITICAL|NOTICE|SEVERE|panic|Exception|Error|error|failed|Traceback|exit(?:ed)?|listening|started|"
    r"starting|Starting|Started|Listening|Caused by|[Rr]unning|[Cc]onnect(?:ed|ing)?|[Rr]eady|"
    r"[Ll]oad(?:ed|ing)|[Ss]hutting|[Ss]topp(?:ed|ing)|[Ww]arn|port \d+|[Ii]nitiali[sz](?:ed|ing))\b|https?://"
    r"|^\s+at [\w.$<>]+\(|^\s*File \"|^\s*[{\[].*[\"']"
    r"(?:level|msg|message|severity)[\"']|\b\w+=\S+\s+\w+=\S+|^\s*[\w./-]+:\d+:|^[IWEF]\d{4} ")
_HEADER = re.compile(r"^\s*(?:NAMESPACE\s+)?(?:NAME\s+READY\s+STATUS|LAST\s*SEEN\s+|Type\s+Reason\s+Age"
                     r"|-{3,}\s+-{3,})")
_MAX_INPUT = 20_000_000


def read_any(text: str, source: str = "input") -> tuple[dict | None, list[dict], str | None]:
    """(pod or None, event dicts, log text or None) from any pasted kubectl output or logs."""
    pod, events, logs, previous = read_all(text, source)
    return pod, events, _join(previous, logs)


def read_all(text: str, source: str = "input"):
    """Like read_any, but keeps `kubectl logs --previous` sections apart: (pod, events, logs, previous)."""
    _check_text(text, source)
    text = clean_text(text)
    pods, events, logs, previous, refused = [], [], [], [], []
    for kind, body in _sections(text):
        if kind == "logs":
            logs.append(body)
        elif kind == "previous":
            previous.append(body)
        else:
            found_pods, found_events, leftover, what = _read_section(body)
            pods.extend(found_pods)
            events.extend(found_events)
            if leftover:
                logs.append(leftover)
            if what:
                refused.append(what)
    log_text = _join(*logs)
    previous_text = _join(*previous)
    if not pods and not events and not log_text and not previous_text:
        detail = f"found {refused[0]}, not a pod, its events or logs" if refused else \
            "no pod status, events or log lines in it"
        raise InputError(f"cannot read {source}: {detail}")
    if not pods and not events and not previous and not looks_like_logs(log_text):
        raise InputError(f"cannot read {source}: it is not kubectl output or container logs "
                         "(no pod fields, events, table rows or log lines); paste kubectl describe "
                         "pod, get pod -o yaml, get events or logs")
    return pick_pod(merge_watch_rows(pods)), events, log_text, previous_text


def clean_text(text: str) -> str:
    """The paste without colour codes and stray carriage returns (CRLF ends lines as LF)."""
    if "\x1b" not in text and "\r" not in text:
        return text
    return _ANSI.sub("", text.replace("\r\n", "\n"))


def looks_like_logs(text: str | None) -> bool:
    """Short text is given the benefit of the doubt (`unknown`); a longer text must carry at
    least one log signal (a timestamp, a level, an error word, a stack frame, key=value):
    refusing real logs would be worse than reading a random file as `unknown`."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) < 3:
        return True
    sample = lines[:400]
    return any(_LOG_SIGNAL.search(line) for line in sample) or \
        find_log_clue("\n".join(sample)) is not None


def read_pod_object(text: str, source: str = "input") -> tuple[dict | None, list[dict]]:
    """`kubectl get pod -o yaml|json` (or `get pod,events`, or a fragment) -> (pod, events)."""
    _check_text(text, source)
    pods, events = split_documents(load_documents(text))
    if not pods and not events:
        raise InputError(f"cannot read {source}: no pod or event in this YAML/JSON")
    return pick_pod(pods), events


def read_describe_text(text: str, source: str = "input") -> tuple[dict | None, list[dict]]:
    """`kubectl describe pod` output (whole, partial or cut off) -> (pod, events)."""
    _check_text(text, source)
    text = clean_text(text)
    pod, _ = parse_describe(text)
    events = [e for e in (parse_event_row(line) for line in text.splitlines()) if e]
    if pod is None and not events:
        raise InputError(f"cannot read {source}: no `kubectl describe pod` fields or events in it")
    return pod, events


def read_pods_table(text: str, source: str = "input") -> list[dict]:
    """`kubectl get pods` rows -> pod dicts (one per row)."""
    _check_text(text, source)
    text = clean_text(text)
    pods = [p for p in (parse_get_pods_row(strip_prompt(line)) for line in text.splitlines()) if p]
    if not pods:
        raise InputError(f"cannot read {source}: no `kubectl get pods` rows in it")
    return pods


def read_events_text(text: str, source: str = "input") -> list[dict]:
    """Events as `kubectl get events` rows, describe Events rows, bare messages, or YAML/JSON."""
    _check_text(text, source)
    text = clean_text(text)
    if looks_structured(text):
        _, events = split_documents(load_documents(text))
        if events:
            return events
    events = [e for e in (_event_from_line(line) for line in text.splitlines()) if e]
    if not events:
        raise InputError(f"cannot read {source}: no events in it")
    return events


def read_logs(text: str, source: str = "input") -> str:
    """Log text as is (only checked to be text)."""
    _check_text(text, source)
    return text


def _check_text(text, source: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"cannot read {source}: it is empty")
    if len(text) > _MAX_INPUT:
        raise InputError(f"cannot read {source}: larger than {_MAX_INPUT // 1_000_000} MB")
    sample = text[:4096]
    odd = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\x1b"))
    if "\x00" in sample or odd > len(sample) * 0.1:
        raise InputError(f"cannot read {source}: binary data, not kubectl output or logs")


def _sections(text: str):
    """Split a paste at `$ kubectl ...` prompt lines; logs sections are kept apart."""
    kind, lines = "auto", []
    for line in text.splitlines():
        match = _KUBECTL.match(line)
        if match:
            if any(part.strip() for part in lines):
                yield kind, "\n".join(lines)
            options = match.group(2)
            if match.group(1) == "logs":
                kind = "previous" if re.search(r"(^|\s)(-p|--previous)(=true)?(\s|$)", options) else "logs"
            else:
                kind = "auto"
            lines = []
            continue
        lines.append(line)
    if any(part.strip() for part in lines):
        yield kind, "\n".join(lines)


def _read_section(text: str):
    """(pods, events, leftover log text, what-was-refused) for one part of a paste."""
    refused = None
    if looks_structured(text):
        docs = load_documents(text)
        pods, events = split_documents(docs)
        if pods or events:
            return pods, events, None, None
        kinds = [d.get("kind") for d in docs if isinstance(d, dict) and d.get("kind")]
        if kinds:
            return [], [], None, f"a {kinds[0]}"
        # JSON log lines ({"level":"fatal","msg":...}) and `key: value` log text: read as text.
    pod, last_describe_line = parse_describe(text)
    pods = [pod] if pod else []
    events, leftover = [], []
    for index, line in enumerate(text.splitlines()):
        event = parse_event_row(line)
        if event:
            events.append(event)
            continue
        if pod is not None and index <= last_describe_line:
            continue
        row = parse_get_pods_row(strip_prompt(line))
        if row:
            pods.append(row)
            continue
        bare = parse_bare_message(line)
        if bare:
            events.append(bare)
            if bare["message"][:7].lower() == "error: ":
                leftover.append(line)  # kubelet's "Error: " and a program's own look alike
            continue
        if not _HEADER.match(line):
            leftover.append(line)
    log_text = "\n".join(leftover).strip("\n") if any(l.strip() for l in leftover) else None
    if log_text and pod is not None and _is_trailing_describe_noise(log_text):
        log_text = None
    return pods, events, log_text, refused


def _is_trailing_describe_noise(text: str) -> bool:
    return all(not line.strip() or line.strip() in ("<none>",) for line in text.splitlines())


def _event_from_line(line: str) -> dict | None:
    return parse_event_row(line) or parse_bare_message(line)


def _join(*parts) -> str | None:
    joined = "\n".join(part for part in parts if part and part.strip())
    return joined or None
