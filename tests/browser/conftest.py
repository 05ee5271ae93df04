from tests.harness.fixtures import k8s_api, kubelet  # noqa: F401
