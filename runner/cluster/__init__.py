"""Everything that talks to the Kubernetes API (the only place importing `kubernetes`).

`kubernetes` is imported inside the functions that need it, so importing this
package is cheap and `crashlab --help` never loads the client. Objects go in
and come out as plain camelCase dicts, as `kubectl get -o json` shows them.

    cluster = connect("kind-crashlab")
    cluster.ensure_namespace(ns, owner_labels(lab, scenario, participant))
    cluster.apply(render_manifests(...), ns, labels=owner_labels(...))
    for kind, pod in cluster.watch_pods(ns, timeout=60): ...

Objects given to apply() must carry app.kubernetes.io/managed-by=crashlab:
pass `labels=` to add the lab's labels (also to workloads' pod templates),
otherwise an unlabelled object is refused.
"""

from ._client import Cluster, connect, ping
from ._errors import ApiStatusError
from ._kinds import CLUSTER_SCOPED_KINDS, NAMESPACED_KINDS
from ._watch import PodWatcher, WatchStop

__all__ = ["Cluster", "connect", "ping", "ApiStatusError", "PodWatcher", "WatchStop",
           "CLUSTER_SCOPED_KINDS", "NAMESPACED_KINDS"]
