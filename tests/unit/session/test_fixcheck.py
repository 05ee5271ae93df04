import pytest

from runner.errors import InputError
from runner.expect import GuardResult, Mismatch, Verdict
from runner.session import fixcheck

NS = "crashlab-ada-oom-killed"


def _dep(namespace=None):
    meta = {"name": "web"} | ({"namespace": namespace} if namespace else {})
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta}


def test_check_objects_accepts_the_scenarios_namespace_or_none():
    objects = [_dep(), _dep(NS)]
    assert fixcheck.check_objects(objects, NS, "ws/x.yaml") is objects


@pytest.mark.parametrize("objects, words", [
    ([], "holds no Kubernetes object"),
    ([_dep("default")], "names namespace default; this scenario only applies into " + NS),
    ([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}],
     "is a Namespace; the lab manages namespaces itself"),
])
def test_check_objects_names_the_file_and_what_to_do(objects, words):
    with pytest.raises(InputError) as problem:
        fixcheck.check_objects(objects, NS, "ws/x.yaml")
    assert str(problem.value).startswith("ws/x.yaml: ") and words in str(problem.value)


def test_verdict_lines_are_sorted_and_say_the_failed_guard():
    verdict = Verdict("not_fixed", mismatches=[Mismatch("status.phase", "Pending", "Running"),
                                               Mismatch("spec.a", 1, 2)],
                      guards=[GuardResult("limit", "raising the limit is the fix", "Pod",
                                          (Mismatch("spec.x", 1, 2),)),
                              GuardResult("ok", "fine", "Pod", ())])
    lines = fixcheck.verdict_lines(verdict)
    assert lines[0].startswith("spec.a") and lines[1].startswith("status.phase")
    assert lines[2] == "not allowed: raising the limit is the fix"
    assert lines[3].startswith("  spec.x") and len(lines) == 4
