"""The spoiler check: nothing a learner sees before the quiz may name or hint at the cause.

Pure: it collects every text shown or created before the quiz (header, story, suggested
commands, slug and key, namespace, labels, workspace file, the broken manifest's object names,
labels, annotations and comments) and looks for the catalogue's cause words in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runner import placement as lab_placements
from runner.catalog.model import CAUSE_WORDS, CAUSES, Lab, Scenario

Problem = tuple[str, str]


@dataclass(frozen=True)
class Placement:
    """Where a scenario lives for one participant, as the learner can see it."""

    namespace: str
    labels: dict[str, str]  # on every object the lab creates, and on the pod
    workspace_file: str  # relative to the workspace folder


def neutral_placement(scenario: Scenario, lab: str, participant: str) -> Placement:
    """What the lab's placement must become: named after the service, keyed by the opaque key."""
    return Placement(namespace=lab_placements.namespace_name(participant, scenario.slug),
                     labels=lab_placements.owner_labels(lab, scenario.key, participant),
                     workspace_file=f"{scenario.slug}/{scenario.slug}.yaml")


def lab_placement(scenario: Scenario, lab: str, participant: str) -> Placement:
    """The placement the lab really uses (runner.placement.placement_for)."""
    placed = lab_placements.placement_for(lab, participant, scenario)
    return Placement(namespace=placed.namespace, labels=placed.labels,
                     workspace_file=placed.manifest_path.as_posix())


def cause_words(scenario: Scenario | None = None) -> tuple[str, ...]:
    """A scenario's own cause words, id and cause id; without a scenario, the words of the
    workshop's five sample causes (for what every scenario shares: a lab's intro, `crashlab
    list`; lab-3-plus's intro names the objects its flowchart reads, such as Secrets)."""
    if scenario is None:
        return tuple(sorted({word for cause in CAUSES for word in CAUSE_WORDS[cause]}))
    return tuple(sorted(set(CAUSE_WORDS.get(scenario.cause, ())) | {scenario.id, scenario.cause}))


def find_cause_word(text: str, words: tuple[str, ...]) -> str | None:
    """The first cause word in `text` (at the start of a word, any case), or None."""
    for word in words:
        if re.search(r"(?<![a-z0-9])" + re.escape(word.lower()), text.lower()):
            return word
    return None


def pre_quiz_texts(scenario: Scenario, placement: Placement, broken_objects: list[dict],
                   broken_text: str) -> list[tuple[str, str]]:
    """(dotted path, text) for everything a learner can see of this scenario before the quiz."""
    texts = [("title", scenario.title), ("slug", scenario.slug), ("key", scenario.key),
             ("spec.story", scenario.story)]
    texts += [(f"investigate[{i}]", command) for i, command in enumerate(scenario.investigate)]
    texts += [("placement.namespace", placement.namespace),
              ("placement.workspaceFile", placement.workspace_file)]
    texts += [(f"placement.labels.{key}", f"{key}={value}") for key, value in placement.labels.items()]
    for obj in broken_objects:
        texts += _object_texts(obj, f"spec.manifests.broken[{obj['kind']}/{obj['metadata'].get('name')}]")
    for number, line in enumerate(broken_text.splitlines(), start=1):
        comment = re.search(r"(?:^|\s)#(.*)$", line)
        if comment:
            texts.append((f"spec.manifests.broken:{number} (comment)", comment.group(1)))
    return texts


def _object_texts(obj: dict, where: str) -> list[tuple[str, str]]:
    meta = obj.get("metadata") or {}
    texts = [(f"{where}.metadata.name", str(meta.get("name", "")))]
    texts += _map_texts(meta, f"{where}.metadata")
    template = ((obj.get("spec") or {}).get("template") or {})
    texts += _map_texts(template.get("metadata") or {}, f"{where}.spec.template.metadata")
    pod = template.get("spec") or {}
    for field in ("containers", "initContainers", "volumes"):
        for index, item in enumerate(pod.get(field) or []):
            texts.append((f"{where}.spec.template.spec.{field}[{index}].name", str(item.get("name", ""))))
    return texts


def _map_texts(meta: dict, where: str) -> list[tuple[str, str]]:
    return [(f"{where}.{field}.{key}", f"{key}={value}")
            for field in ("labels", "annotations") for key, value in (meta.get(field) or {}).items()]


def spoiler_problems(scenario: Scenario, placement: Placement, broken_objects: list[dict],
                     broken_text: str) -> list[Problem]:
    """(dotted path, message) for each pre-quiz text that names a cause word."""
    words = cause_words(scenario)
    return [(path, _message(text, word))
            for path, text in pre_quiz_texts(scenario, placement, broken_objects, broken_text)
            for word in [find_cause_word(text, words)] if word]


def lab_spoiler_problems(lab: Lab) -> list[Problem]:
    """The lab's title and intro are shown before every quiz: no cause word in them either."""
    words = cause_words()
    texts = [("metadata.title", lab.title), ("spec.intro", lab.intro)]
    return [(path, _message(text, word)) for path, text in texts
            for word in [find_cause_word(text, words)] if word]


def _message(text: str, word: str) -> str:
    start = text.lower().find(word.lower())
    snippet = " ".join(text[max(0, start - 30):start + len(word) + 30].split())
    return (f"names the cause before the quiz ({word!r} in \"...{snippet}...\"); before the quiz "
            "say what the learner sees, not what was changed")


def written_record_problems(text: str, scenarios) -> list[Problem]:
    """(scenario slug, message) for each of `scenarios` whose entry in a written results record
    (`text`: the file or the progress ConfigMap's JSON) is not past its quiz
    (runner.results.records.cause_known) while the text names its id or its cause id. The
    symptom lines may say what the pod showed (the learner reads the same with kubectl)."""
    import json

    from runner.results.records import cause_known

    entries = (json.loads(text).get("scenarios") or [])
    problems = []
    for scenario in scenarios:
        entry = next((e for e in entries if e.get("id") in (scenario.id, scenario.slug)), None)
        if entry is None or cause_known(entry):
            continue
        for name in (scenario.id, scenario.cause):
            if f'"{name}"' in text:
                problems.append((scenario.slug, f"names {name!r} before the quiz of "
                                 f"{scenario.slug}; write records.for_learner(record)"))
    return problems
