"""The workshop's "Quota and Limit Issues" notes: a ResourceQuota denial and a
file-descriptor limit are recognised (cause quota_limit), with the line that shows it.

Message formats:
- kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go
  (CheckRequest): "exceeded quota: %s, requested: %s, used: %s, limited: %s", wrapped by
  admission.NewForbidden as `pods "<generateName>" is forbidden: ...`; the ReplicaSet
  controller records it as FailedCreate "Error creating: %v" (pkg/controller/controller_utils.go).
- EMFILE's strerror "Too many open files" (Linux errno 24): Go net/http server.go
  "http: Accept error: %v; retrying in %v", Python "OSError: [Errno 24] Too many open files",
  Java "java.io.IOException: Too many open files".
"""

import pytest

from runner.diagnose import diagnose
from runner.diagnose.model import NAMES
from runner.diagnose.readers import read_all
from tests.unit.diagnose.helpers import fixture_text

QUOTA = ('Error creating: pods "web-6d5c9f7b8-" is forbidden: exceeded quota: compute-resources, '
         "requested: limits.memory=512Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi")


def diagnose_text(text: str):
    return diagnose(*read_all(text, "pasted"))


def test_a_quota_denial_event_names_the_quota():
    found = diagnose_text(fixture_text("quota_limit__events_table.txt"))
    assert found.cause == "quota_limit" and found.confidence == "high"
    assert found.evidence == (f"event FailedCreate: {QUOTA}",)
    assert "kubectl describe resourcequota" in found.next
    assert NAMES["quota_limit"] == "quota or limit reached"


@pytest.mark.parametrize("line", [
    "2026/11/25 10:04:12 http: Accept error: accept tcp [::]:8080: accept4: too many open files; "
    "retrying in 1s",
    "OSError: [Errno 24] Too many open files: '/var/lib/app/segment-1021.log'",
    "java.io.IOException: Too many open files",
])
def test_a_file_descriptor_limit_in_the_logs(line):
    found = diagnose_text(f"starting\n{line}\n")
    assert found.cause == "quota_limit", found
    assert any(line[:40] in evidence for evidence in found.evidence)
    assert any("ulimit -n" in command for command in found.next)


def test_the_emfile_fixture_quotes_its_first_accept_error():
    found = diagnose_text(fixture_text("quota_limit__emfile_logs.txt"))
    assert found.cause == "quota_limit"
    assert found.evidence[0].startswith("logs: 2026/11/25 10:04:12 http: Accept error:")


def test_a_denied_file_is_still_permissions_not_a_limit():
    found = diagnose_text("mkdir /var/lib/lab-app/cache: Permission denied\n")
    assert found.cause == "permissions"
