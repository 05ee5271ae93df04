from runner.steps import restart, window

PROBE = {"initialDelaySeconds": 5, "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 1}


def _pod(probe=None):
    container = {"name": "app"} | ({"livenessProbe": probe} if probe else {})
    return {"spec": {"containers": [container]}}


def test_the_window_is_the_override_else_the_floor_or_one_failing_probe():
    assert window.window_for(_pod(), "app", 15, None) == 15
    assert window.window_for(_pod(PROBE), "app", 15, None) == 5 + 10 * 3 + 1
    assert window.window_for(_pod(PROBE), "app", 15, 2) == 2


def test_template_pod_reads_the_window_before_the_pod_exists():
    deployment = {"spec": {"template": {"spec": _pod(PROBE)["spec"]}}}
    assert window.window_for(window.template_pod(deployment), "app", 15, None) == 36


def test_steadiness_needs_a_whole_window_of_bad_looks():
    steady = window.Steadiness()
    assert not steady.steadily_bad(0.0, 5)
    assert not steady.steadily_bad(4.0, 5)
    steady.settling()
    assert not steady.steadily_bad(6.0, 5)
    assert steady.steadily_bad(11.0, 5)


def test_configmaps_used_finds_volumes_projections_env_from_and_key_refs():
    spec = {"volumes": [{"configMap": {"name": "a"}},
                        {"projected": {"sources": [{"configMap": {"name": "b"}}]}}],
            "containers": [{"envFrom": [{"configMapRef": {"name": "c"}}],
                            "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "d",
                                                                                     "key": "k"}}}]}],
            "initContainers": [{"envFrom": [{"configMapRef": {"name": "e"}}]}]}
    assert restart.configmaps_used(spec) == {"a", "b", "c", "d", "e"}


def test_changed_configmaps_only_counts_used_existing_changed_ones():
    def cm(name, value):
        return {"kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": value}}

    objects = [cm("used", "new"), cm("same", "v"), cm("unused", "new"), cm("brand-new", "v")]
    live = {"used": cm("used", "old"), "same": cm("same", "v"), "unused": cm("unused", "old")}
    assert restart.changed_configmaps(objects, live, {"used", "same", "brand-new"}) == ["used"]


def test_secrets_used_finds_volumes_projections_env_from_and_key_refs():
    spec = {"volumes": [{"secret": {"secretName": "a"}}, {"configMap": {"name": "not-me"}},
                        {"projected": {"sources": [{"secret": {"name": "b"}}]}}],
            "containers": [{"envFrom": [{"secretRef": {"name": "c"}}],
                            "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "d",
                                                                                  "key": "k"}}}]}],
            "initContainers": [{"envFrom": [{"secretRef": {"name": "e"}}]}]}
    assert restart.secrets_used(spec) == {"a", "b", "c", "d", "e"}


def test_a_changed_secret_key_counts_as_changed():
    def secret(name, string_data):
        return {"kind": "Secret", "metadata": {"name": name}, "stringData": string_data}

    objects = [secret("db", {"password": "x"}), secret("same", {"k": "v"}),
               {"kind": "ConfigMap", "metadata": {"name": "db"}, "data": {"k": "v"}}]
    live = {"db": secret("db", {"passwd": "x"}), "same": secret("same", {"k": "v"})}
    assert restart.changed_configmaps(objects, live, {"db", "same"}, "Secret") == ["db"]
