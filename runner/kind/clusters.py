"""The kind cluster lifecycle: create from the checked-in config, reuse, delete only our own."""

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.errors import ClusterError, EnvironmentProblem, NotOwnedError, UsageError
from runner.kind import _marker
from runner.kind._run import ToolTimedOut, run
from runner.kind._steps import silent_step
from runner.kind.versions import NODE_IMAGE

DEFAULT_CLUSTER = "crashlab"
DEFAULT_WAIT = "120s"
CONFIG_FILE = Path(__file__).with_name("kind-cluster.yaml")
CREATED_BY_LABEL = "crashlab.dev/created-by=crashlab"  # set on the node by CONFIG_FILE

QUERY_TIMEOUT = 30.0
CREATE_TIMEOUT = 900.0  # the first create pulls a ~1 GB node image
DELETE_TIMEOUT = 180.0
NODE_READY_TIMEOUT = 180.0  # after kind's own --wait ran out
NODE_READY_POLL = 2.0

# kind pkg/cluster/internal/create/actions/waitforready/waitforready.go: when --wait runs
# out it ends the status line with a failure mark, logs this line and still exits 0.
KIND_WAIT_TIMED_OUT = "WARNING: Timed out waiting for Ready"

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,48}[a-z0-9])?$")
_DURATION = re.compile(r"^(0|\d+(\.\d+)?(ms|s|m|h))$")


@dataclass(frozen=True)
class KindCluster:
    """A kind cluster ready to use: its kubeconfig context, and whether the lab owns it."""

    name: str
    context: str
    created: bool  # created by this call (False: an existing cluster was reused)
    owned: bool  # created by crashlab, so `crashlab cluster down` may delete it


def context_name(name: str = DEFAULT_CLUSTER) -> str:
    """kind names the kubeconfig context of cluster `name` `kind-<name>`."""
    return f"kind-{name}"


def node_image() -> str:
    """The pinned node image (tag@sha256:digest), from runner.kind.versions."""
    return NODE_IMAGE


def check_cluster_name(name: str) -> str:
    """Return `name` when kind and Docker accept it as a cluster name, else raise UsageError."""
    if not _NAME.match(name):
        raise UsageError(f"cluster name {name!r} is not valid: use lower-case letters, digits, "
                         "'-' and '.', at most 50 characters, starting and ending alphanumeric")
    return name


def check_wait(wait: str) -> str:
    """Return `wait` when it is a duration kind accepts (`120s`, `5m`), else raise UsageError."""
    if not _DURATION.match(wait):
        raise UsageError(f"--wait {wait!r} is not a duration: use e.g. 120s or 5m")
    return wait


def list_clusters(environ: Mapping[str, str] | None = None) -> list[str]:
    """`kind get clusters`: names on stdout; with none it says so on stderr and exits 0."""
    result = run(["kind", "get", "clusters"], environ=environ, timeout=QUERY_TIMEOUT)
    if not result.ok:
        raise EnvironmentProblem(f"`kind get clusters` failed ({result.last_error_line()}): "
                                 "check that Docker is running")
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def list_nodes(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The node container names of cluster `name` (`kind get nodes --name`)."""
    result = run(["kind", "get", "nodes", "--name", name], environ=environ, timeout=QUERY_TIMEOUT)
    if not result.ok:
        raise EnvironmentProblem(f"`kind get nodes --name {name}` failed "
                                 f"({result.last_error_line()}): check that Docker is running")
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def node_container_ids(nodes: list[str], environ: Mapping[str, str] | None = None
                       ) -> dict[str, str] | None:
    """Docker container ID of each node, or None when any of them does not exist."""
    if not nodes:
        return {}
    result = run(["docker", "container", "inspect", "--format", "{{.Id}}", *nodes],
                 environ=environ, timeout=QUERY_TIMEOUT)
    ids = result.stdout.split()
    if not result.ok or len(ids) != len(nodes):
        return None
    return dict(zip(nodes, ids))


def is_lab_cluster(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when crashlab created cluster `name` and its node containers are still those.

    Reads the marker written at creation and compares the container IDs it
    recorded with Docker's: a cluster re-created by hand under the same name
    has new containers and is not the lab's.
    """
    record = _marker.read_marker(name, environ)
    if not record or not record["nodes"]:
        return False
    return node_container_ids(list(record["nodes"]), environ) == record["nodes"]


def create_cluster(name: str = DEFAULT_CLUSTER, *, environ: Mapping[str, str] | None = None,
                   wait: str = DEFAULT_WAIT, image: str = NODE_IMAGE) -> bool:
    """`kind create cluster` with the checked-in config, then record that the lab made it.

    Interrupted or timed out, the half-made cluster is deleted again. Returns False when
    kind's own wait for the control plane ran out (kind still exits 0 then): the caller
    must `wait_for_nodes_ready` before using the cluster. `image` other than the pin: the
    node image a classroom kit loaded, by tag (`docker load` keeps no registry digest).
    """
    argv = ["kind", "create", "cluster", "--name", name, "--config", str(CONFIG_FILE),
            "--image", image, "--wait", check_wait(wait)]
    try:
        result = run(argv, environ=environ, timeout=CREATE_TIMEOUT)
    except (KeyboardInterrupt, ToolTimedOut):
        _remove_partial_cluster(name, environ)
        raise
    if not result.ok:
        raise EnvironmentProblem(f"kind could not create cluster {name!r} "
                                 f"({result.last_error_line()}): fix that, then run "
                                 "`crashlab cluster up` again")
    ids = node_container_ids(list_nodes(name, environ), environ)
    if not ids:
        raise EnvironmentProblem(f"kind created cluster {name!r} but Docker shows no node "
                                 "containers for it: run `kind get nodes --name "
                                 f"{name}` and `crashlab cluster up` again")
    _marker.write_marker(name, ids, image, environ)
    return KIND_WAIT_TIMED_OUT not in result.stderr


def nodes_not_ready(name: str, environ: Mapping[str, str] | None = None) -> list[str] | None:
    """Nodes of cluster `name` whose Ready condition is not True, each as
    "<node>: <reason>"; None when the API server does not answer yet."""
    result = run(["kubectl", "get", "nodes", "-o", "json", "--context", context_name(name),
                  "--request-timeout=5s"], environ=environ, timeout=QUERY_TIMEOUT)
    if not result.ok:
        return None
    try:
        items = json.loads(result.stdout)["items"]
    except (ValueError, KeyError, TypeError):
        return None
    waiting = []
    for node in items:
        ready = next((c for c in node.get("status", {}).get("conditions", [])
                      if c.get("type") == "Ready"), {})
        if ready.get("status") != "True":
            why = ready.get("reason") or "no Ready condition yet"
            waiting.append(f"{node.get('metadata', {}).get('name', '?')}: {why}")
    return waiting if items else ["no node registered yet"]


def wait_for_nodes_ready(name: str, *, environ: Mapping[str, str] | None = None,
                         step=silent_step) -> None:
    """Poll the API until every node of `name` is Ready; raise ClusterError when it
    does not happen within NODE_READY_TIMEOUT (no person waits forever on a cluster)."""
    deadline = time.monotonic() + NODE_READY_TIMEOUT
    with step(f"Waiting for the nodes of kind cluster {name!r} to be Ready") as note:
        while True:
            waiting = nodes_not_ready(name, environ)
            if waiting == []:
                note.text = "Ready"
                return
            note.text = "; ".join(waiting or ["API server not answering yet"])
            if time.monotonic() >= deadline:
                raise ClusterError(
                    f"kind cluster {name!r} was created but is not Ready after kind's wait and "
                    f"{NODE_READY_TIMEOUT:g}s more ({note.text}): see `kubectl describe nodes "
                    f"--context {context_name(name)}`, then run `crashlab cluster down` and "
                    "`crashlab cluster up` again")
            time.sleep(NODE_READY_POLL)


def _remove_partial_cluster(name: str, environ: Mapping[str, str] | None) -> None:
    """A create cut short leaves node containers behind that the next `up` would take
    for an existing cluster; the name was free before, so nothing else is lost."""
    run(["kind", "delete", "cluster", "--name", name], environ=environ, timeout=DELETE_TIMEOUT)


def ensure_context(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Make sure the kubeconfig has context `kind-<name>` (re-exported by kind when missing)."""
    context = context_name(name)
    result = run(["kubectl", "config", "get-contexts", "-o", "name"], environ=environ,
                 timeout=QUERY_TIMEOUT)
    if result.ok and context in result.stdout.split():
        return context
    exported = run(["kind", "export", "kubeconfig", "--name", name], environ=environ,
                   timeout=QUERY_TIMEOUT)
    if not exported.ok:
        raise ClusterError(f"kubeconfig has no context {context!r} and kind could not write it "
                           f"({exported.last_error_line()}): run `kind export kubeconfig "
                           f"--name {name}`")
    return context


def ensure_cluster(name: str = DEFAULT_CLUSTER, *, environ: Mapping[str, str] | None = None,
                   wait: str = DEFAULT_WAIT, step=silent_step,
                   image: str = NODE_IMAGE) -> KindCluster:
    """Reuse kind cluster `name` when it exists, else create it; return how to reach it."""
    check_cluster_name(name)
    ready = True
    with step(f"Kind cluster {name!r}") as note:
        if name in list_clusters(environ):
            owned = is_lab_cluster(name, environ)
            note.text = "exists, reused" if owned else "exists (not created by crashlab), reused"
            created = False
        else:
            ready = create_cluster(name, environ=environ, wait=wait, image=image)
            note.text = f"created with {image.split('@')[0]}"
            if not ready:
                note.text += f", but not Ready within --wait {wait}"
            created = owned = True
        context = ensure_context(name, environ)
    if not ready:
        wait_for_nodes_ready(name, environ=environ, step=step)
    return KindCluster(name=name, context=context, created=created, owned=owned)


def delete_cluster(name: str = DEFAULT_CLUSTER, *, environ: Mapping[str, str] | None = None,
                   step=silent_step) -> bool:
    """Delete cluster `name` if crashlab created it; False when there was none.

    Raises NotOwnedError (exit 4) for a cluster the lab did not create.
    """
    check_cluster_name(name)
    if name not in list_clusters(environ):
        _marker.remove_marker(name, environ)
        return False
    if not is_lab_cluster(name, environ):
        raise NotOwnedError(f"kind cluster {name!r} was not created by crashlab on this machine, "
                            "so crashlab will not delete it; if you are sure, run "
                            f"`kind delete cluster --name {name}`")
    with step(f"Deleting kind cluster {name!r}"):
        result = run(["kind", "delete", "cluster", "--name", name], environ=environ,
                     timeout=DELETE_TIMEOUT)
        if not result.ok:
            raise ClusterError(f"kind could not delete cluster {name!r} "
                               f"({result.last_error_line()}): retry, or run "
                               f"`kind delete cluster --name {name}`")
        _marker.remove_marker(name, environ)
    return True


def get_kubeconfig(name: str = DEFAULT_CLUSTER, environ: Mapping[str, str] | None = None) -> str:
    """The kubeconfig of cluster `name` as YAML text (`kind get kubeconfig --name`)."""
    result = run(["kind", "get", "kubeconfig", "--name", name], environ=environ,
                 timeout=QUERY_TIMEOUT)
    if not result.ok:
        raise ClusterError(f"kind has no kubeconfig for cluster {name!r} "
                           f"({result.last_error_line()}): run `crashlab cluster up`")
    return result.stdout
