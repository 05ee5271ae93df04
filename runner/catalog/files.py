"""The schemas of lab and scenario files (what an author may write)."""

from runner.catalog.model import ALL_CAUSES, SCENARIO_API_VERSION, TEACHABLE
from runner.catalog.schema import Any, Bool, Int, ListOf, Obj, Str

ID = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
TEMPLATE = r"[a-z0-9][-a-z0-9]*/[a-z0-9][-a-z0-9_.]*\.j2"

_HEADER = {
    "apiVersion": Str(choices=(SCENARIO_API_VERSION,)),
    "metadata": Obj({"id": Str(pattern=ID), "title": Str()}),
}

CHOICE = Obj({"id": Str(pattern=r"[a-z0-9_-]+"), "text": Str(), "feedback": Str()},
             {"correct": Bool()})

QUESTION = Obj({"prompt": Str(), "choices": ListOf(CHOICE, min_items=3, max_items=8)})

GUARD = Obj({"id": Str(pattern=ID), "says": Str(), "object": Str(pattern=r"Pod|[A-Z][A-Za-z]+/" + ID),
             "check": Any(dict)})

SCENARIO = Obj({
    "apiVersion": _HEADER["apiVersion"],
    "metadata": Obj({"id": Str(pattern=ID)}),  # no title: the header is neutral (Scenario.title)
    "kind": Str(choices=("Scenario",)),
    "spec": Obj({
        "cause": Str(choices=TEACHABLE),
        "story": Str(),
        "workload": Obj({"kind": Str(choices=("Deployment",)), "name": Str(pattern=ID),
                         "container": Str(pattern=ID)}),
        "manifests": Obj({"broken": Str(pattern=TEMPLATE), "solution": Str(pattern=TEMPLATE)}),
        "symptom": Obj({"summary": Str(), "pod": Any(dict)},
                       {"events": ListOf(Any(dict)), "logs": ListOf(Str()),
                        "withinSeconds": Int(minimum=10, maximum=1800)}),
        "quiz": Obj({"cause": QUESTION, "evidence": QUESTION}),
        "hints": ListOf(Str(), min_items=2, max_items=3),
        "explanation": Str(),
        # The workshop's walkthrough, shown after the quiz ("what happened") or with --guided.
        "afterQuiz": Obj({"title": Str(), "kubectl": ListOf(Str())}),
        "fixed": Obj({"pod": Any(dict)}, {"minStableSeconds": Int(minimum=1, maximum=900)}),
        "guards": ListOf(GUARD, min_items=1),
    }, {
        "sample": Int(minimum=1),
    }),
})

LAB = Obj({
    **_HEADER,
    "kind": Str(choices=("Lab",)),
    "spec": Obj({"intro": Str(), "scenarios": ListOf(Str(pattern=ID), min_items=1)}),
})

CAUSE_IDS = ALL_CAUSES
