"""Everything that talks to the Kubernetes API (the only place importing `kubernetes`).

`kubernetes` is imported inside the functions that need it, so importing this
package is cheap and `crashlab --help` never loads the client. Objects go in
and come out as plain camelCase dicts, as `kubectl get -o json` shows them.
No caller sees a URL or an HTTP status: typed operations over the kinds table
(`get`, `list`, `delete`, `restart_workload`, `delete_owned`), a 404 is `None`
or `NotFound`, a 403 `Forbidden`.

    cluster = connect("kind-crashlab")
    cluster.ensure_namespace(placement.namespace, placement.labels)
    cluster.apply(render_manifests(...), placement.namespace, labels=placement.labels)
    tracker = PodTracker(cluster.watch_pods_many([placement.namespace]))

Objects given to apply() must carry app.kubernetes.io/managed-by=crashlab:
pass `labels=` to add the lab's labels (also to workloads' pod templates),
otherwise an unlabelled object is refused.
"""

from ._client import Cluster, connect, ping
from ._errors import ApiStatusError, Forbidden, NotFound
from ._kinds import CLUSTER_SCOPED_KINDS, NAMESPACED_KINDS, RESTARTED_AT
from ._tracker import PodTracker
from ._watch import PodWatcher, WatchStop

__all__ = ["Cluster", "connect", "ping", "ApiStatusError", "Forbidden", "NotFound",
           "PodTracker", "PodWatcher", "WatchStop", "CLUSTER_SCOPED_KINDS", "NAMESPACED_KINDS",
           "RESTARTED_AT"]
