"""RBAC for the emulator: ServiceAccount tokens (TokenRequest) and Role/RoleBinding checks.

Enough of Kubernetes' RBAC authorizer to prove that what `crashlab workshop prepare`
grants lets a participant run the lab and nothing more: request attributes
(verb, API group, resource, subresource, namespace, name) are derived from the
URL as the API server does (GET of a namespace carries that namespace), and
only Roles bound by RoleBindings in the request's namespace are consulted.
ClusterRoles are not emulated, so any cluster-scoped request by a
ServiceAccount is forbidden, as it is for a participant with no ClusterRoleBinding.
"""

import secrets
import threading
from dataclasses import dataclass

from .resources import RESOURCES, parse_path
from .store import ApiError

_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


@dataclass(frozen=True)
class Attributes:
    verb: str
    group: str
    resource: str
    subresource: str | None
    namespace: str
    name: str | None

    @property
    def full_resource(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


def attributes(method: str, path: str, query: dict) -> Attributes | None:
    """What RBAC sees of a request; None for non-resource URLs (/version, discovery)."""
    parsed = parse_path(path)
    if parsed is None:
        parts = [p for p in path.split("/") if p]
        # serviceaccounts/<name>/token is a subresource parse_path does not serve
        if len(parts) == 7 and parts[:3] == ["api", "v1", "namespaces"] and \
                parts[4] == "serviceaccounts" and parts[6] == "token":
            return Attributes("create", "", "serviceaccounts", "token", parts[3], parts[5])
        return None
    plural, namespace, name, sub = parsed
    group = RESOURCES[plural][0].rpartition("/")[0]
    if method == "GET":
        watch = query.get("watch") in ("true", "1")
        verb = "watch" if watch else ("get" if name else "list")
    else:
        verb = _VERBS.get(method, method.lower())
    if plural == "namespaces" and name:
        namespace = name  # "namespaces are weird": a namespace's own requests carry its name
    return Attributes(verb, group, plural, sub, namespace, name)


def _rule_allows(rule: dict, attrs: Attributes) -> bool:
    def has(values, wanted):
        return "*" in (values or []) or wanted in (values or [])

    names = rule.get("resourceNames") or []
    return (has(rule.get("verbs"), attrs.verb) and has(rule.get("apiGroups"), attrs.group)
            and has(rule.get("resources"), attrs.full_resource)
            and (not names or attrs.name in names))


class Rbac:
    """Issued tokens -> ServiceAccounts, and the authorization decision for each request."""

    def __init__(self):
        self._tokens: dict[str, tuple[str, str, int]] = {}
        self._lock = threading.Lock()
        self.denied: list[tuple[str, Attributes]] = []

    def issue(self, namespace: str, name: str, seconds: int) -> str:
        token = "sa-" + secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = (namespace, name, seconds)
        return token

    def identity(self, header: str | None) -> tuple[str, str] | None:
        if not header or not header.startswith("Bearer "):
            return None
        with self._lock:
            found = self._tokens.get(header[len("Bearer "):])
        return None if found is None else found[:2]

    def token_lifetime(self, token: str) -> int | None:
        with self._lock:
            found = self._tokens.get(token)
        return None if found is None else found[2]

    def authorize(self, store, identity: tuple[str, str], method: str, path: str,
                  query: dict) -> None:
        """Raise 403 like the API server unless a Role bound to `identity` allows it."""
        attrs = attributes(method, path, query)
        if attrs is None:
            return  # /version and discovery are open to every authenticated user
        if attrs.namespace and self._allowed(store, identity, attrs):
            return
        sa_ns, sa_name = identity
        with self._lock:
            self.denied.append((f"{sa_ns}/{sa_name}", attrs))
        scope = (f'in the namespace "{attrs.namespace}"' if attrs.namespace
                 else "at the cluster scope")
        group = f' in API group "{attrs.group}"' if attrs.group else ' in API group ""'
        raise ApiError(403, "Forbidden",
                       f'{attrs.full_resource}{"" if not attrs.name else " " + repr(attrs.name)} '
                       f'is forbidden: User "system:serviceaccount:{sa_ns}:{sa_name}" cannot '
                       f'{attrs.verb} resource "{attrs.full_resource}"{group} {scope}')

    @staticmethod
    def _allowed(store, identity, attrs: Attributes) -> bool:
        sa_ns, sa_name = identity
        bindings, _ = store.list("rolebindings", attrs.namespace)
        for binding in bindings:
            subjects = binding.get("subjects") or []
            if not any(s.get("kind") == "ServiceAccount" and s.get("name") == sa_name
                       and s.get("namespace") == sa_ns for s in subjects):
                continue
            ref = binding.get("roleRef") or {}
            if ref.get("kind") != "Role":
                continue
            try:
                role = store.get("roles", attrs.namespace, ref.get("name"))
            except ApiError:
                continue
            if any(_rule_allows(rule, attrs) for rule in role.get("rules") or []):
                return True
        return False
