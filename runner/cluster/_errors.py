"""Turn client and transport exceptions into one-line ClusterErrors that say what to do."""

import json

from runner.errors import ClusterError

START_HINT = "is the cluster running? try: crashlab cluster up"


def unreachable_hint(context: str | None) -> str:
    """What to do when the API of `context` does not answer. `crashlab cluster up` only for
    the lab's own kind cluster: for any other context it would build a new cluster."""
    from runner.kind.clusters import DEFAULT_CLUSTER, context_name

    if context == context_name(DEFAULT_CLUSTER):
        return START_HINT
    if context and context.startswith("kind-"):
        name = context[len("kind-"):]
        return f"is the kind cluster {name} running? check `kind get clusters` and `docker ps`"
    if not context:
        return "check the kubeconfig's current context, your VPN and your credentials"
    return (f"check the context, your VPN and your credentials: "
            f"kubectl cluster-info --context {context}")


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an ApiException, None for transport errors."""
    from kubernetes.client.exceptions import ApiException

    return exc.status if isinstance(exc, ApiException) else None


def api_message(exc: BaseException) -> str:
    """The `message` of a Kubernetes Status body, or the HTTP reason."""
    body = getattr(exc, "body", None)
    try:
        return _one_line(json.loads(body).get("message") or "")
    except (TypeError, ValueError, AttributeError):
        pass
    reason = str(getattr(exc, "reason", "") or "")
    # Not a Kubernetes Status (a proxy's HTML page, say): the reason phrase says enough.
    if isinstance(body, (str, bytes)) and body.strip()[:1] in ("<", b"<"):
        return _one_line(reason)
    text = body.decode(errors="replace") if isinstance(body, bytes) else (body or reason)
    return _one_line(text)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _transport_reason(exc: BaseException, context: str | None) -> tuple[str, str]:
    """(what went wrong, what to do) for a urllib3 / socket failure."""
    import urllib3.exceptions as u3

    reason = getattr(exc, "reason", None) or exc
    text = str(reason)
    if isinstance(reason, u3.SSLError) or "SSL" in text or "CERTIFICATE" in text:
        detail = text.split("] ")[-1].rstrip(")'\"") or "TLS handshake failed"
        return (f"TLS error ({detail})",
                "the kubeconfig's certificates do not match this server; re-export it "
                "(kind export kubeconfig --name <cluster>)")
    if isinstance(reason, u3.NameResolutionError) or "Name or service not known" in text \
            or "Failed to resolve" in text:
        return ("host name not found", "check the server address in your kubeconfig")
    if "refused" in text:  # before timeouts: NewConnectionError subclasses ConnectTimeoutError
        return ("connection refused", unreachable_hint(context))
    if isinstance(reason, (u3.ConnectTimeoutError, u3.ReadTimeoutError)) or "timed out" in text:
        return ("timed out", unreachable_hint(context))
    if isinstance(exc, u3.ProtocolError) or "Connection aborted" in text:
        return ("connection dropped", "retry; if it keeps happening, check the cluster")
    return (text.splitlines()[0][:160] if text else type(reason).__name__,
            unreachable_hint(context))


def to_cluster_error(exc: BaseException, where: str, doing: str,
                     context: str | None = None) -> ClusterError:
    """Translate `exc`, raised while `doing` something at `where` ('<server> (context <c>)');
    `context` picks the advice when the API does not answer."""
    status = status_of(exc)
    if status == 401:
        return ClusterError(f"the Kubernetes API at {where} rejected the credentials "
                            "(401 Unauthorized): refresh your kubeconfig or log in again")
    if status == 403:
        return Forbidden(f"the Kubernetes API at {where} forbids {doing}: {api_message(exc)} "
                         "— use a context with more rights, or ask the cluster admin",
                         403, api_message(exc) or "")
    if status is not None:
        detail = api_message(exc) or getattr(exc, "reason", "") or ""
        error = NotFound if status == 404 else ApiStatusError
        return error(f"the Kubernetes API at {where} refused {doing}: "
                     f"{status} {detail}".rstrip(), status, detail)
    what, todo = _transport_reason(exc, context)
    return ClusterError(f"cannot reach the Kubernetes API at {where}: {what} — {todo}")


class ApiStatusError(ClusterError):
    """The API answered with an error status; `status` and `detail` let callers react to it."""

    def __init__(self, message: str, status: int, detail: str):
        super().__init__(message)
        self.status = status
        self.detail = detail


class NotFound(ApiStatusError):
    """The object (or the API path) does not exist (HTTP 404)."""


class Forbidden(ApiStatusError):
    """The credentials may not do this (HTTP 403)."""
