"""Real-cluster tests (marker `cluster`): the lab's kind cluster, CRASHLAB_E2E_CONTEXT, or a
visible skip.

`make test` runs them too; `pytest -m cluster` runs only them. When no cluster
answers, every test here is skipped with the reason, which `-ra` prints in the
summary, e.g. "SKIPPED [5] no reachable cluster: cannot reach the Kubernetes API ...".
With CRASHLAB_REQUIRE_CLUSTER=1 (the e2e CI job) that is a failure instead: a job
whose cluster does not answer must not pass green having proved nothing.
"""

import os

import pytest

from runner.errors import CrashlabError

LAB_CONTEXT = "kind-crashlab"  # what `crashlab cluster up` creates


def _unavailable(reason: str):
    if os.environ.get("CRASHLAB_REQUIRE_CLUSTER") == "1":
        pytest.fail(f"cluster tier required (CRASHLAB_REQUIRE_CLUSTER=1) but {reason}",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_cluster():
    """A connected Cluster: CRASHLAB_E2E_CONTEXT, else the current context when it is the
    lab's own kind cluster."""
    from runner.cluster import connect

    context = os.environ.get("CRASHLAB_E2E_CONTEXT") or None
    try:
        cluster = connect(context)
    except CrashlabError as error:
        _unavailable(f"no reachable cluster: {error}")
    if context is None and cluster.context != LAB_CONTEXT:
        cluster.close()
        # make test must not deploy into whatever cluster a developer happens to point at
        _unavailable(f"the current context {cluster.context!r} is not the lab's kind cluster "
                    f"({LAB_CONTEXT}); set CRASHLAB_E2E_CONTEXT={cluster.context} to test on it")
    try:
        version = cluster.ping()
    except CrashlabError as error:
        cluster.close()
        _unavailable(f"no reachable cluster: {error}")
    print(f"\ne2e against {cluster.where}, Kubernetes {version}")
    yield cluster
    cluster.close()
