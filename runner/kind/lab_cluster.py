"""The lab's kind cluster, ready to run scenarios: created or reused, with the lab image
loaded. `crashlab run` and `crashlab cluster up` both get their cluster here."""

from runner.kind._steps import silent_step
from runner.kind.clusters import DEFAULT_WAIT, ensure_cluster
from runner.kind.images import ensure_image
from runner.kind.versions import NODE_IMAGE


def ensure_lab_cluster(name: str, image: str, environ=None, *, wait: str = DEFAULT_WAIT,
                       build: bool = True, base: str | None = None, step=silent_step,
                       node_image: str = NODE_IMAGE):
    """Create (or reuse) kind cluster `name` and load `image` into it; returns the KindCluster.

    The tools must already be there (run preflight first). `node_image`: another node image
    to create the cluster with (a classroom kit's, by tag)."""
    cluster = ensure_cluster(name, environ=environ, wait=wait, step=step, image=node_image)
    ensure_image(image, cluster.name, environ=environ, build=build, base=base, step=step)
    return cluster
