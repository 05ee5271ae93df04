"""`kubectl get -o yaml|json` text, whole or as a fragment, possibly cut off -> pod and events."""

import json
import re
import textwrap

from runner.diagnose.podview import as_dict, list_containers

_STRUCTURED_HINT = re.compile(
    r"^\s*-?\s*\"?(apiVersion|kind|metadata|status|spec|items|containerStatuses|initContainerStatuses"
    r"|lastState|state|terminated|waiting|running|exitCode|restartCount|involvedObject|regarding"
    r"|reason)\"?\s*:", re.M)
_MAX_TRIMS = 40


def looks_structured(text: str) -> bool:
    stripped = text.lstrip()
    return stripped[:1] in "{[" or bool(_STRUCTURED_HINT.search(text))


def load_documents(text: str) -> list:
    """Parsed JSON/YAML documents; cut-off text is trimmed or closed until it parses. [] if not."""
    text = text.strip("\ufeff")
    if text.lstrip()[:1] in "{[":
        try:
            return [json.loads(text)]
        except (ValueError, RecursionError):
            repaired = _close_json(text)
            if repaired is not None:
                return [repaired]
    return _load_yaml_trimming(textwrap.dedent(text.expandtabs(2)))


_CUT_REASON = re.compile(r"^(\s*-?\s*reason:\s*)([A-Za-z]{3,})$")


def _complete_cut_reason(lines: list[str]) -> list[str]:
    """A paste cut inside its last `reason:` value (`reason: OOMKil`) gets the known reason."""
    from runner.diagnose.read_describe import KNOWN_REASONS

    match = _CUT_REASON.match(lines[-1]) if lines else None
    if match and match.group(2) not in KNOWN_REASONS:
        options = [r for r in KNOWN_REASONS if r.startswith(match.group(2))]
        if len(options) == 1:
            return lines[:-1] + [match.group(1) + options[0]]
    return lines


def _load_yaml_trimming(text: str) -> list:
    import yaml

    lines = _complete_cut_reason(text.splitlines())
    for cut in range(min(_MAX_TRIMS, len(lines))):
        candidate = "\n".join(lines[: len(lines) - cut])
        try:
            docs = [doc for doc in yaml.safe_load_all(candidate) if doc is not None]
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):
            continue
        if any(isinstance(doc, (dict, list)) for doc in docs):
            return docs
        return []
    return []


def _close_json(text: str):
    """Close a JSON text that was cut off: try the last few cut points, add the closers."""
    cuts, stack, in_string, escaped = [], [], False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]":
            if stack:
                stack.pop()
            cuts.append((index + 1, "".join(reversed(stack))))
        elif char in ",\n":
            cuts.append((index, "".join(reversed(stack))))
    for end, closers in reversed(cuts[-_MAX_TRIMS:]):
        head = text[:end].rstrip().rstrip(",")
        if not head or head.endswith(":"):
            continue
        try:
            return json.loads(head + closers)
        except (ValueError, RecursionError):
            continue
    return None


def split_documents(docs) -> tuple[list[dict], list[dict]]:
    """Pods and events found in parsed documents, fragments promoted to pod dicts."""
    pods: list[dict] = []
    events: list[dict] = []
    stack = list(docs)[::-1]
    seen = 0
    while stack and seen < 100_000:
        seen += 1
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
            continue
        if not isinstance(item, dict):
            continue
        kind = item.get("kind")
        if isinstance(item.get("items"), list):
            stack.extend(reversed(item["items"]))
        elif kind == "Event" or ("reason" in item and ("involvedObject" in item or "regarding" in item)):
            events.append(item)
        elif kind == "Pod" or _is_pod_like(item):
            pods.append(item)
        else:
            fragment = _promote_fragment(item)
            if fragment is not None:
                pods.append(fragment)
            elif kind is None:
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return pods, events


def _is_pod_like(item: dict) -> bool:
    status, spec = as_dict(item.get("status")), as_dict(item.get("spec"))
    return bool(status.get("containerStatuses") or status.get("initContainerStatuses")
                or (spec.get("containers") and item.get("kind") in (None, "Pod")))


def _promote_fragment(item: dict) -> dict | None:
    """Wrap a `status`, a containerStatus, or a bare state in a pod dict."""
    if "containerStatuses" in item or "initContainerStatuses" in item:
        return {"status": item}
    if isinstance(item.get("status"), dict) and ("phase" in item["status"] or "conditions" in item["status"]):
        return {"metadata": as_dict(item.get("metadata")), "status": item["status"]}
    if any(key in item for key in ("state", "lastState", "restartCount")):
        return {"status": {"containerStatuses": [item]}}
    if any(isinstance(item.get(key), dict) for key in ("waiting", "running", "terminated")):
        return {"status": {"containerStatuses": [{"state": item}]}}
    if "exitCode" in item and ("reason" in item or "finishedAt" in item):
        return {"status": {"containerStatuses": [{"lastState": {"terminated": item}}]}}
    return None


def pick_pod(pods: list[dict]) -> dict | None:
    """The pod most in trouble (the one a crash-loop question is about)."""
    if not pods:
        return None
    return max(pods, key=lambda pod: (max((v.trouble for v in list_containers(pod)), default=0),
                                      -pods.index(pod)))
