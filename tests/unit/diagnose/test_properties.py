"""Property tests: cut, garbled or random input never crashes the readers or the engine."""

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.diagnose import diagnose
from runner.diagnose.readers import read_all, read_describe_text
from runner.errors import InputError
from tests.unit.diagnose.helpers import FIXTURES

TEXTS = [p.read_text() for p in sorted(FIXTURES.rglob("*")) if p.is_file()]  # fixtures + corpus
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_and_diagnose(text):
    try:
        pod, events, logs, previous = read_all(text)
    except InputError as problem:
        assert "\n" not in str(problem) and str(problem).startswith("cannot read input: ")
        return
    assert diagnose(pod, events, logs, previous).cause


@SETTINGS
@given(st.sampled_from(TEXTS), st.integers(min_value=0), st.integers(min_value=0))
def test_any_slice_of_a_fixture(text, start, length):
    start %= max(len(text), 1)
    read_and_diagnose(text[start:start + length % (len(text) + 1)])


@SETTINGS
@given(st.sampled_from(TEXTS), st.lists(st.tuples(st.integers(0, 10_000), st.characters()), max_size=20))
def test_garbled_fixtures(text, edits):
    chars = list(text)
    for position, char in edits:
        if chars:
            chars[position % len(chars)] = char
    read_and_diagnose("".join(chars))


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(text):
    read_and_diagnose(text)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.sampled_from(["CrashLoopBackOff", "OOMKilled", "StartError", "Warning", "Unhealthy"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["kind", "status", "state", "lastState", "terminated", "waiting", "reason",
                         "exitCode", "restartCount", "containerStatuses", "items", "name",
                         "involvedObject", "message", "count", "metadata", "spec", "x"]),
        children, max_size=5),
    max_leaves=25)


@SETTINGS
@given(yaml_values)
def test_random_yaml(value):
    read_and_diagnose(yaml.safe_dump(value))


@SETTINGS
@given(yaml_values)
def test_random_objects_straight_into_the_engine(value):
    pod = value if isinstance(value, dict) else {"status": {"containerStatuses": [value]}}
    events = value if isinstance(value, list) else [value]
    assert diagnose(pod, events).cause


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("State: Waiting\nReason: Exit Code: 137 Last Terminated "
                                               "Events: Warning BackOff kubelet (x4 over 18s)\t")),
               max_size=300))
def test_describe_like_noise(text):
    try:
        read_describe_text(text)
    except InputError:
        pass


def test_superscript_digits_in_counts_do_not_crash():
    # str.isdigit() is True for '¹' but int('¹4') raises: counts are read with isdecimal().
    read_and_diagnose("Restart Count:  ¹4\nExit Code:  ²\nNAME READY STATUS RESTARTS AGE\nweb 0/1 Error ³ 1m\n")
