"""Hand-written lab manifests for the API tests (the scenario catalogue has its own)."""

import copy

from runner import placement

IMAGE = "crashlab/lab-app:0.1.0"
LABELS = placement.owner_labels("lab-3", "api-test", "jane")


def deployment(name: str = "inventory", **container) -> dict:
    """A one-replica Deployment of the lab app; `container` fields override the defaults."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": dict(LABELS)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{
                    "name": "app", "image": IMAGE,
                    "ports": [{"name": "http", "containerPort": 8080}],
                    **copy.deepcopy(container)}]},
            },
        },
    }


def configmap(name: str, properties: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": dict(LABELS)},
            "data": {"app.properties": properties}}


def with_config(dep: dict, configmap_name: str) -> dict:
    """Mount `configmap_name` at /etc/lab-app and point APP_CONFIG_FILE at it."""
    dep = copy.deepcopy(dep)
    pod = dep["spec"]["template"]["spec"]
    pod["volumes"] = [{"name": "config", "configMap": {"name": configmap_name}}]
    app = pod["containers"][0]
    app["env"] = [{"name": "APP_CONFIG_FILE", "value": "/etc/lab-app/app.properties"}]
    app["volumeMounts"] = [{"name": "config", "mountPath": "/etc/lab-app"}]
    return dep
