"""Find the kubeconfig and context, and build an API client for them."""

import os

from runner.errors import ClusterError, InputError

DEFAULT_KUBECONFIG = "~/.kube/config"


def kubeconfig_path(kubeconfig: str | None, environ=None) -> str:
    """The kubeconfig to read: the argument, else $KUBECONFIG, else ~/.kube/config."""
    environ = os.environ if environ is None else environ
    return kubeconfig or environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG


def _files(path: str) -> list[str]:
    return [os.path.expanduser(p) for p in path.split(os.pathsep) if p]


def check_kubeconfig_file(file: str) -> None:
    """InputError (bad input, exit 2) naming file, line and column when `file` is not text or
    not YAML; the client would say only "while scanning for the next token", as a cluster error."""
    from runner import yamlio
    from runner.textfile import read_text_file

    todo = "fix it, or set KUBECONFIG to a working kubeconfig"
    try:
        data = yamlio.load(read_text_file(file, todo))
    except OSError:
        return  # missing or unreadable: the checks and the client below say so
    except yamlio.YAMLError as problem:
        where = f"{file}:{yamlio.error_line(problem) or '?'}:{yamlio.error_column(problem) or '?'}"
        raise InputError(f"{where}: the kubeconfig is not valid YAML "
                         f"({yamlio.error_problem(problem)}): {todo}") from None
    if data is not None and not isinstance(data, dict):
        raise InputError(f"{file}: not a kubeconfig (expected clusters, contexts and users): "
                         f"{todo}")


def pick_context(path: str, context: str | None) -> str:
    """The context to use, checked against the kubeconfig; ClusterError names the choices."""
    from kubernetes import config

    if not any(os.path.exists(f) for f in _files(path)):
        raise ClusterError(f"no kubeconfig at {path}: create a cluster (crashlab cluster up), "
                           "or set KUBECONFIG=FILE to use another kubeconfig")
    for file in _files(path):
        check_kubeconfig_file(file)
    try:
        contexts, active = config.list_kube_config_contexts(path)
    except Exception as exc:  # the loader raises ConfigException, yaml and key errors alike
        raise ClusterError(f"cannot read kubeconfig {path}: {str(exc).splitlines()[0]}") from exc
    names = [c.get("name") for c in contexts or []]
    available = ", ".join(names) or "none"
    if context is None:
        if not active:
            raise ClusterError(f"kubeconfig {path} has no current context: pass --context NAME "
                               f"(available: {available})")
        return active["name"]
    if context not in names:
        raise ClusterError(f"no context {context!r} in kubeconfig {path} "
                           f"(available: {available}): pass --context NAME")
    return context


def new_api_client(path: str, context: str):
    """An ApiClient for `context`, never touching the global default configuration."""
    from kubernetes import client, config

    configuration = client.Configuration()
    try:
        config.load_kube_config(config_file=path, context=context,
                                client_configuration=configuration, persist_config=False)
    except Exception as exc:
        raise ClusterError(f"cannot use context {context} from {path}: "
                           f"{str(exc).splitlines()[0]}") from exc
    return client.ApiClient(configuration)
