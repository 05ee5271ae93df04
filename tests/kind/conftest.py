"""Fixtures: stub docker/kind/kubectl executables on PATH, and a tiny API server for ping()."""

import pytest

from tests.kind.harness import FakeTools, start_api


@pytest.fixture(scope="session")
def kubeconfig(tmp_path_factory):
    path, stop = start_api(tmp_path_factory.mktemp("kube"))
    yield path
    stop()


@pytest.fixture
def tools(tmp_path, kubeconfig) -> FakeTools:
    return FakeTools(tmp_path, kubeconfig)
