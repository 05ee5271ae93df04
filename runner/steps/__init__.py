"""The lab's operations, shared by every driver (the learner's session, selftest, live
grading): deploy -> await symptom -> apply fix -> await fix, plus the ConfigMap-restart rule
(`restart`) and the stability window (`window`). Each step is a pure judge from
runner.expect plus one thin loop over one runner.cluster.PodTracker."""

from runner.steps.events import Applied, Deployed, FixJudged, SymptomSeen, Watching
from runner.steps.ops import (apply_fix, await_fix, await_symptom, deploy, read_guard_objects,
                              read_pod, run)

__all__ = ["Applied", "Deployed", "FixJudged", "SymptomSeen", "Watching", "apply_fix",
           "await_fix", "await_symptom", "deploy", "read_guard_objects", "read_pod", "run"]
