"""Stand-ins for the `docker`, `kind` and `kubectl` CLIs, run as real executables.

conftest.py writes one small launcher per tool into a temporary bin folder
that becomes the whole PATH. Each call appends {"tool", "argv"} as one JSON
line to $FAKE_TOOLS_LOG, then answers from a JSON "world" in
$FAKE_TOOLS_STATE the way the real tool does: same streams (kind logs on
stderr, data on stdout), same messages, same exit codes. Commands that change
the world (kind create/delete/load, docker build) write it back.
"""

import hashlib
import json
import os
import sys

DOCKER_DOWN = ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
               "Is the docker daemon running?")
# Docker 29's CLI (moby/moby client, v29) words the same failure like this.
DOCKER_DOWN_29 = ("failed to connect to the docker API at unix:///var/run/docker.sock; check if "
                  "the path is correct and if the daemon is running: dial unix "
                  "/var/run/docker.sock: connect: no such file or directory")
DOCKER_DENIED = ("permission denied while trying to connect to the Docker daemon socket at "
                 "unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/"
                 "version\": dial unix /var/run/docker.sock: connect: permission denied")


def default_world() -> dict:
    return {
        # image_store "classic": `docker image inspect .Id` is the config digest (build_id);
        # "containerd": it is the manifest/index digest (build_id) and the config digest,
        # what crictl on a node reports, is config_id (kind #4236).
        "docker": {"daemon": "up", "server_version": "27.3.1", "images": {}, "containers": {},
                   "build_id": "sha256:" + "b" * 64, "config_id": "sha256:" + "c" * 64,
                   "image_store": "classic", "builds": []},
        "kind": {"version": "0.33.0", "clusters": {}},
        # node_not_ready_polls: how many `kubectl get nodes` answer NotReady (-1: forever)
        "kubectl": {"version": "v1.35.8", "contexts": [], "node_not_ready_polls": 0},
    }


def main() -> None:
    tool, argv = os.path.basename(sys.argv[0]), sys.argv[1:]
    with open(os.environ["FAKE_TOOLS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"tool": tool, "argv": argv, "path": sys.argv[0]}) + "\n")
    with open(os.environ["FAKE_TOOLS_STATE"], encoding="utf-8") as file:
        world = json.load(file)
    code, changed = {"docker": docker, "kind": kind, "kubectl": kubectl}[tool](argv, world)
    if changed:
        with open(os.environ["FAKE_TOOLS_STATE"], "w", encoding="utf-8") as file:
            json.dump(world, file)
    sys.exit(code)


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def flag(argv: list[str], name: str, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


# ------------------------------------------------------------------ docker

def docker(argv: list[str], world: dict):
    state = world["docker"]
    if state["daemon"] != "up":
        err({"down": DOCKER_DOWN, "down29": DOCKER_DOWN_29}.get(state["daemon"], DOCKER_DENIED))
        return 1, False
    if argv[:1] == ["version"]:
        platform = state.get("platform", "linux/amd64")
        out(platform if ".Server.Os" in flag(argv, "--format", "") else state["server_version"])
        return 0, False
    if argv[:2] == ["image", "inspect"] and flag(argv, "--format") == "{{json .}}":
        return _inspect_json(state, argv[-1]), False
    if argv[:2] == ["image", "inspect"]:
        return _inspect(state["images"], argv[-1], "image"), False
    if argv[:1] == ["load"]:
        return _docker_load(state)
    if argv[:1] == ["save"] and argv[-1] in state["images"]:
        out(json.dumps({argv[-1]: state["images"][argv[-1]]}))  # what _docker_load reads
        return 0, False
    if argv[:2] == ["container", "inspect"]:
        return max(_inspect(state["containers"], name, "container")
                   for name in argv[4:]), False
    if argv[:1] == ["build"]:
        return _build(argv, state)
    if argv[:1] == ["exec"] and argv[2:5] == ["crictl", "inspecti", "-o"]:
        return _crictl_inspecti(argv[1], argv[-1], world), False
    if argv[:1] == ["exec"] and argv[2:6] == ["ctr", "--namespace=k8s.io", "images", "list"]:
        return _ctr_images_list(argv[1], argv[6].split("==", 1)[1], world), False
    err(f"fake docker: unsupported command {argv}")
    return 125, False


def _inspect(objects: dict, name: str, what: str) -> int:
    if name not in objects:
        err(f"Error response from daemon: No such {what}: {name}")
        return 1
    out(objects[name])
    return 0


def _inspect_json(state: dict, name: str) -> int:
    """`docker image inspect --format '{{json .}}'`: the fields runner.kit reads."""
    if name not in state["images"]:
        err(f"Error response from daemon: No such image: {name}")
        return 1
    os_name, arch = state.get("platform", "linux/amd64").split("/")
    out(json.dumps({"Id": state["images"][name], "Os": os_name, "Architecture": arch,
                    "Size": 1000, "RepoDigests": state.get("repo_digests", {}).get(name, [])}))
    return 0


def _docker_load(state: dict):
    """`docker load` of a stand-in archive: JSON {"tag": "image id"} on stdin (the real
    format is a tar; the tests/containers tier loads real ones)."""
    try:
        images = json.loads(sys.stdin.buffer.read())
    except ValueError:
        # moby pkg/chrootarchive/archive_unix.go: "Error processing tar file(%v): %s"
        err("Error processing tar file(exit status 1): unexpected EOF")
        return 1, False
    state["images"].update(images)
    for tag, image_id in images.items():
        out(f"Loaded image: {tag}")
    return 0, True


def _build(argv: list[str], state: dict):
    context = argv[-1]
    if not os.path.isfile(os.path.join(context, "Dockerfile")):
        err("ERROR: failed to solve: failed to read dockerfile: open Dockerfile: "
            "no such file or directory")
        return 1, False
    image = flag(argv, "-t")
    state["images"][image] = state["build_id"]
    state["builds"].append({"no_default_attestations":
                            os.environ.get("BUILDX_NO_DEFAULT_ATTESTATIONS") == "1"})
    err(f"#9 naming to docker.io/{image} done")
    return 0, True


def _crictl_inspecti(node: str, image: str, world: dict) -> int:
    cluster = next((c for c in world["kind"]["clusters"].values() if node in c["nodes"]), None)
    if cluster is None:
        err(f"Error response from daemon: No such container: {node}")
        return 1
    image_id = cluster["images"].get(image)
    if image_id is None:
        err(f'E1125 10:00:00.000000 1234 remote_image.go:140] "no such image" image="{image}"')
        err(f'FATA[0000] no such image "{image}" present')
        return 1
    out(json.dumps({"status": {"id": image_id, "repoTags": [f"docker.io/{image}"]}}, indent=2))
    return 0


def _ctr_images_list(node: str, ref: str, world: dict) -> int:
    """`ctr images list` table (containerd cmd/ctr/commands/images/images.go)."""
    cluster = next((c for c in world["kind"]["clusters"].values() if node in c["nodes"]), None)
    if cluster is None:
        err(f"Error response from daemon: No such container: {node}")
        return 1
    out("REF TYPE DIGEST SIZE PLATFORMS LABELS")
    image = ref.removeprefix("docker.io/")
    target = cluster.get("targets", {}).get(image)
    if target:
        out(f"{ref} application/vnd.oci.image.index.v1+json {target} 61.2 MiB linux/amd64 "
            "io.cri-containerd.image=managed")
    return 0


# ------------------------------------------------------------------ kind

def kind(argv: list[str], world: dict):
    if argv == ["version"]:
        out(f"kind v{world['kind']['version']} go1.24.2 linux/amd64")
        return 0, False
    if world["docker"]["daemon"] != "up":
        err("ERROR: failed to list clusters: command \"docker ps -a --filter "
            "label=io.x-k8s.kind.cluster --format '{{index .Labels \"io.x-k8s.kind.cluster\"}}'\" "
            "failed with error: exit status 1")
        return 1, False
    name = flag(argv, "--name", "kind")
    handler = {
        ("get", "clusters"): _get_clusters, ("get", "nodes"): _get_nodes,
        ("create", "cluster"): _create, ("delete", "cluster"): _delete,
        ("load", "docker-image"): _load, ("export", "kubeconfig"): _export,
        ("get", "kubeconfig"): _get_kubeconfig,
    }.get(tuple(argv[:2]))
    if handler is None:
        err(f"ERROR: unknown command {argv}")
        return 1, False
    return handler(argv, name, world)


def _get_clusters(argv, name, world):
    clusters = sorted(world["kind"]["clusters"])
    if not clusters:
        err("No kind clusters found.")
    for cluster in clusters:
        out(cluster)
    return 0, False


def _get_nodes(argv, name, world):
    cluster = world["kind"]["clusters"].get(name)
    if not cluster:
        err(f'No kind nodes found for cluster "{name}".')
        return 0, False
    for node in cluster["nodes"]:
        out(node)
    return 0, False


def _create(argv, name, world):
    clusters = world["kind"]["clusters"]
    if name in clusters:
        err(f'ERROR: failed to create cluster: node(s) already exist for a cluster with the '
            f'name "{name}"')
        return 1, False
    config = flag(argv, "--config")
    if world["kind"].get("create_hang"):
        import time
        time.sleep(world["kind"]["create_hang"])
    if world["kind"].get("create_error"):
        err(f"ERROR: failed to create cluster: {world['kind']['create_error']}")
        return 1, False
    if config and not os.path.isfile(config):
        err(f'ERROR: failed to create cluster: error reading file: open {config}: '
            'no such file or directory')
        return 1, False
    node = f"{name}-control-plane"
    clusters[name] = {"nodes": [node], "images": {}}
    world["docker"]["containers"][node] = hashlib.sha256(node.encode()).hexdigest()
    _add_context(world, name)
    image = flag(argv, "--image", "kindest/node:v1.37.0@sha256:" + "0" * 64).split("@")[0]
    waiting = f"Waiting ≤ {flag(argv, '--wait', '0s')} for control-plane = Ready ⏳"
    # kind waitforready.go: on timeout the status ends with ✗ and a WARNING line, exit 0
    ready = ([f" ✗ {waiting}", " • WARNING: Timed out waiting for Ready ⚠️"]
             if world["kind"].get("create_wait_times_out") else
             [f" ✓ {waiting}", " • Ready after 15s 💚"])
    for line in (f'Creating cluster "{name}" ...', f" ✓ Ensuring node image ({image}) 🖼",
                 " ✓ Preparing nodes 📦", " ✓ Writing configuration 📜",
                 " ✓ Starting control-plane 🕹️", " ✓ Installing CNI 🔌",
                 " ✓ Installing StorageClass 💾", *ready, f'Set kubectl context to "kind-{name}"'):
        err(line)
    return 0, True


def _delete(argv, name, world):
    err(f'Deleting cluster "{name}" ...')
    cluster = world["kind"]["clusters"].pop(name, None)
    for node in (cluster or {}).get("nodes", []):
        world["docker"]["containers"].pop(node, None)
        err(f"Deleted nodes: [\"{node}\"]")
    return 0, True


def _load(argv, name, world):
    image = argv[2]
    image_id = world["docker"]["images"].get(image)
    if image_id is None:
        err(f'ERROR: image: "{image}" not present locally')
        return 1, False
    cluster = world["kind"]["clusters"].get(name)
    if not cluster:
        err(f'ERROR: no nodes found for cluster "{name}"')
        return 1, False
    if cluster["images"].get(image) == image_id:
        err(f'Image: "{image}" with ID "{image_id}" found to be already present on all nodes.')
        return 0, False
    for node in cluster["nodes"]:
        err(f'Image: "{image}" with ID "{image_id}" not yet present on node "{node}", loading...')
    if world["docker"]["image_store"] == "containerd":
        # CRI knows the config digest; containerd records the index Docker's .Id names
        cluster["images"][image] = world["docker"]["config_id"]
        cluster.setdefault("targets", {})[image] = image_id
    else:
        cluster["images"][image] = image_id
    return 0, True


def _export(argv, name, world):
    if name not in world["kind"]["clusters"]:
        err(f'ERROR: unknown cluster "{name}"')
        return 1, False
    _add_context(world, name)
    err(f'Set kubectl context to "kind-{name}"')
    return 0, True


def _get_kubeconfig(argv, name, world):
    if name not in world["kind"]["clusters"]:
        err(f'ERROR: could not locate any control plane nodes for cluster named \'{name}\'. '
            'Use the --name option to select a different cluster')
        return 1, False
    out(f"apiVersion: v1\nkind: Config\ncurrent-context: kind-{name}\n"
        f"contexts:\n- context: {{cluster: kind-{name}, user: kind-{name}}}\n  name: kind-{name}")
    return 0, False


def _add_context(world, name):
    contexts = world["kubectl"]["contexts"]
    if f"kind-{name}" not in contexts:
        contexts.append(f"kind-{name}")


# ------------------------------------------------------------------ kubectl

def kubectl(argv: list[str], world: dict):
    version = world["kubectl"]["version"]
    major, minor = version.lstrip("v").split(".")[:2]
    client = {"clientVersion": {"major": major, "minor": minor, "gitVersion": version,
                                "platform": "linux/amd64"}, "kustomizeVersion": "v5.6.0"}
    if argv[:2] == ["version", "--client"]:
        out(json.dumps(client, indent=2))
        return 0, False
    if argv[:3] == ["version", "-o", "json"]:
        return _server_version(argv, client), False
    if argv[:4] == ["get", "nodes", "-o", "json"]:
        return _get_nodes_json(flag(argv, "--context"), world)
    if argv == ["config", "get-contexts", "-o", "name"]:
        for context in world["kubectl"]["contexts"]:
            out(context)
        return 0, False
    err(f"error: unknown command {argv}")
    return 1, False


def _get_nodes_json(context: str, world: dict):
    """Node list; Ready is False (kubelet's KubeletNotReady, with containerd's CNI message)
    while node_not_ready_polls lasts."""
    name = context.removeprefix("kind-")
    cluster = world["kind"]["clusters"].get(name)
    if cluster is None:
        err(f'error: context "{context}" does not exist')
        return 1, False
    polls = world["kubectl"]["node_not_ready_polls"]
    ready = ({"type": "Ready", "status": "True", "reason": "KubeletReady",
              "message": "kubelet is posting ready status"} if polls == 0 else
             {"type": "Ready", "status": "False", "reason": "KubeletNotReady",
              "message": "container runtime network not ready: NetworkReady=false "
                         "reason:NetworkPluginNotReady message:Network plugin returns error: "
                         "cni plugin not initialized"})
    items = [{"metadata": {"name": node}, "status": {"conditions": [ready]}}
             for node in cluster["nodes"]]
    out(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    if polls > 0:
        world["kubectl"]["node_not_ready_polls"] = polls - 1
    return 0, polls > 0


def _server_version(argv: list[str], client: dict) -> int:
    """Asks the server of --context in $KUBECONFIG (written as JSON, which is YAML too)."""
    import urllib.error  # only here: urllib costs the other stub calls a few ms each
    import urllib.request

    context = flag(argv, "--context")
    with open(os.environ["KUBECONFIG"], encoding="utf-8") as file:
        config = json.load(file)
    found = [c["context"]["cluster"] for c in config["contexts"] if c["name"] == context]
    if not found:
        err(f'error: context "{context}" does not exist')
        return 1
    server = next(c["cluster"]["server"] for c in config["clusters"] if c["name"] == found[0])
    timeout = float(next(a for a in argv if a.startswith("--request-timeout="))
                    .split("=")[1].rstrip("s"))
    try:
        with urllib.request.urlopen(server + "/version", timeout=timeout) as response:
            client["serverVersion"] = json.load(response)
    except (urllib.error.URLError, OSError):
        out(json.dumps(client, indent=2))
        err(f"The connection to the server {server.split('//')[1]} was refused - "
            "did you specify the right host or port?")
        return 1
    out(json.dumps(client, indent=2))
    return 0


if __name__ == "__main__":
    main()
