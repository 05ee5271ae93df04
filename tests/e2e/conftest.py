"""Real-cluster tests (marker `cluster`): the current kubeconfig context, or a visible skip.

`make test` runs them too; `pytest -m cluster` runs only them. When no cluster
answers, every test here is skipped with the reason, which `-ra` prints in the
summary, e.g. "SKIPPED [5] no reachable cluster: cannot reach the Kubernetes API ...".
"""

import os

import pytest

from runner.errors import CrashlabError


@pytest.fixture(scope="session")
def live_cluster():
    """A connected Cluster for CRASHLAB_E2E_CONTEXT (default: the current context)."""
    from runner.cluster import connect

    context = os.environ.get("CRASHLAB_E2E_CONTEXT") or None
    try:
        cluster = connect(context)
        version = cluster.ping()
    except CrashlabError as error:
        pytest.skip(f"no reachable cluster: {error}")
    print(f"\ne2e against {cluster.where}, Kubernetes {version}")
    yield cluster
    cluster.close()
