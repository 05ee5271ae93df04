"""Preflight (Docker, kind, kubectl) and the kind cluster lifecycle, through their CLIs.

Every external call is an argument list with a timeout, run with the PATH
of the `environ` mapping passed in (os.environ when None), so tests can
put stub executables first. Long operations accept `step=`, a reporter
that shows progress (see `_steps`); the default shows nothing.
"""

from runner.kind._run import INSTALL_LINKS, ToolNotFound, ToolTimedOut
from runner.kind._steps import StepNote, silent_step
from runner.kind.clusters import (
    CONFIG_FILE,
    CREATED_BY_LABEL,
    DEFAULT_CLUSTER,
    DEFAULT_WAIT,
    KindCluster,
    check_cluster_name,
    check_wait,
    context_name,
    create_cluster,
    delete_cluster,
    ensure_cluster,
    get_kubeconfig,
    is_lab_cluster,
    list_clusters,
    node_image,
)
from runner.kind.images import LAB_IMAGE, LabImage, build_image, ensure_image, local_image_id
from runner.kind.lab_cluster import ensure_lab_cluster
from runner.kind.preflight import (
    PreflightFailed,
    PreflightReport,
    ToolCheck,
    check_api,
    check_tools,
    preflight,
)

__all__ = [
    "CONFIG_FILE", "CREATED_BY_LABEL", "DEFAULT_CLUSTER", "DEFAULT_WAIT", "INSTALL_LINKS",
    "LAB_IMAGE", "KindCluster", "LabImage", "PreflightFailed", "PreflightReport", "StepNote",
    "ToolCheck", "ToolNotFound", "ToolTimedOut", "build_image", "check_api", "check_cluster_name",
    "check_tools", "check_wait", "context_name", "create_cluster", "delete_cluster",
    "ensure_cluster", "ensure_image", "ensure_lab_cluster", "get_kubeconfig", "is_lab_cluster", "list_clusters",
    "local_image_id", "node_image", "preflight", "silent_step",
]
