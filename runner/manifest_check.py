"""Check a manifest someone wrote: YAML syntax, then the Kubernetes OpenAPI schema, offline.

Errors name the file, the line and the field, so a learner can jump straight to
the mistake; the file itself is never touched.
"""

from __future__ import annotations

import functools
import re

from runner.errors import InputError

KUBERNETES_VERSION = "1.33"  # the schema the lab's manifests are checked against (kind's node image)


def check_manifest_text(text: str, source: str, *, version: str = KUBERNETES_VERSION) -> list[dict]:
    """Parse and validate every document; return the objects or raise InputError (one line)."""
    from runner import yamlio

    try:
        nodes = yamlio.compose_all(text)
        documents = yamlio.load_all(text)
    except yamlio.YAMLError as error:
        line = yamlio.error_line(error)
        raise InputError(f"{source}{f':{line}' if line else ''}: not valid YAML: "
                         f"{yamlio.error_problem(error)}; fix the file and try again")
    objects = []
    for node, document in zip(nodes, documents):
        if document is None:
            continue
        line = node.start_mark.line + 1
        if not isinstance(document, dict) or not document.get("kind") or not document.get("apiVersion"):
            raise InputError(f"{source}:{line}: not a Kubernetes object (needs apiVersion and kind)")
        problem = schema_problem(document, version)
        if problem is not None:
            path, message = problem
            unexpected = re.search(r"'([^']+)' was unexpected", message)
            if unexpected:  # point at the misspelt key itself, not at its parent
                path = [*path, unexpected.group(1)]
                message = f"unknown field {unexpected.group(1)!r}; check its spelling against kubectl explain"
            raise InputError(f"{source}:{_line_of(node, path)}: {document['kind']} "
                             f"{_dotted(path) or '(top level)'}: {message}")
        objects.append(document)
    return objects


def schema_problem(obj: dict, version: str = KUBERNETES_VERSION) -> tuple[list, str] | None:
    """The first schema violation of `obj` as (path, message), or None when it is valid."""
    import jsonschema

    validator = _validator(str(obj.get("kind", "")), str(obj.get("apiVersion", "")), version)
    if validator is None:
        return [], f"unknown apiVersion/kind {obj.get('apiVersion')}/{obj.get('kind')}"
    error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
    return None if error is None else (list(error.absolute_path), error.message)


@functools.lru_cache(maxsize=32)
def _validator(kind: str, api_version: str, version: str):
    """A strict OpenAPI validator for one kind, built once: kubernetes-validate's own
    validate() re-reads the 5 MB definitions file on every call (~9 ms per object)."""
    import jsonschema
    import referencing
    from kubernetes_validate.utils import schema_contents

    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{version}.0-local-strict"
    try:
        schema = schema_contents(f"{folder}/{kind.lower()}-{group_version}.json", version)
        definitions = schema_contents(f"{folder}/_definitions.json", version)
    except (FileNotFoundError, OSError):
        return None
    registry = referencing.Registry()
    for contents in (schema, definitions):
        registry = referencing.Resource.from_contents(contents) @ registry
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def _dotted(path: list) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_of(node, path: list) -> int:
    """The 1-based line of the deepest YAML node along `path` (where the mistake is)."""
    import yaml

    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((key, value) for key, value in node.value if key.value == part), None)
            if pair is None:
                break
            node = pair[1] if not isinstance(pair[1], yaml.ScalarNode) else pair[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1
