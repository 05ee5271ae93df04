"""Every scenario of the catalogue, broken and solved, run as a real container under Docker.

All containers of the tier start at once (they mostly wait), then each test reads its
outcome. What to expect comes from the scenario: its cause id, its symptom (terminated
state, events, log lines) and its fixed state.
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from runner import placement
from runner.catalog import load_catalog, render_manifests
from tests.containers.engine import TIER
from tests.containers.outcome import check_broken, check_solution
from tests.containers.podrun import NotModelled, pod_template
from tests.containers.runs import Job, run_job

pytestmark = [pytest.mark.containers, pytest.mark.timeout(900)]

CATALOG = load_catalog()
SCENARIOS = sorted(CATALOG.scenarios.values(), key=lambda s: s.id)
BROKEN_WINDOW_SECONDS = 10
# Scenarios whose broken container takes longer to show its cause (orders gives up on its
# backend after APP_BACKEND_TIMEOUT_SECONDS=10).
BROKEN_WINDOWS = {"dependency-unreachable": 25}
MIN_HEALTHY_SECONDS = 10


def _container(objects: list[dict]) -> dict:
    return pod_template(objects, objects[0]["metadata"]["name"])["containers"][0]


def _raise_memory_limit(objects: list[dict]) -> None:
    _container(objects)["resources"] = {"requests": {"memory": "1Gi"}, "limits": {"memory": "1Gi"}}


def _probe_health_endpoint(objects: list[dict]) -> None:
    _container(objects)["livenessProbe"]["httpGet"]["path"] = "/healthz"


def _wait_longer(objects: list[dict]) -> None:
    _container(objects)["livenessProbe"]["timeoutSeconds"] = 5


def _select_the_store(objects: list[dict]) -> None:
    service = next(o for o in objects if o["kind"] == "Service")
    service["spec"]["selector"] = {"app": "orders-store"}


def _ready_on_health_endpoint(objects: list[dict]) -> None:
    _container(objects)["readinessProbe"]["httpGet"]["path"] = "/healthz"


# cause -> (a change to the broken manifest that stops it from breaking, what the check says)
MUTATIONS = {
    "oom_killed": (_raise_memory_limit, "no OOM kill observed"),
    "liveness_probe": (_probe_health_endpoint, "does not fail"),
    "probe_timeout": (_wait_longer, "want a 'timed out' failure"),
    "dependency_unreachable": (_select_the_store, "no start-up exit with code 1 observed"),
    "readiness_probe": (_ready_on_health_endpoint, "the readiness probe does not fail"),
}
MUTATED = {cause: next((s for s in SCENARIOS if s.cause == cause), None) for cause in MUTATIONS}


def _render(scenario, variant: str, image: str) -> list[dict]:
    return render_manifests(scenario, variant, image=image, participant="ci",
                            namespace=placement.namespace_name("ci", scenario.slug))


def _jobs(image: str) -> list[Job]:
    jobs = []
    for scenario in SCENARIOS:
        jobs.append(Job(f"{scenario.id}-broken", _render(scenario, "broken", image),
                        BROKEN_WINDOWS.get(scenario.id, BROKEN_WINDOW_SECONDS), scenario.workload.name))
        jobs.append(Job(f"{scenario.id}-solution", _render(scenario, "solution", image),
                        max(MIN_HEALTHY_SECONDS, scenario.fixed.min_stable_seconds),
                        scenario.workload.name))
    for cause, (mutate, _) in MUTATIONS.items():
        scenario = MUTATED[cause]
        if scenario is not None:
            objects = copy.deepcopy(_render(scenario, "broken", image))
            mutate(objects)
            jobs.append(Job(f"{scenario.id}-mutated", objects,
                            BROKEN_WINDOWS.get(scenario.id, BROKEN_WINDOW_SECONDS),
                            scenario.workload.name))
    return jobs


@pytest.fixture(scope="module")
def outcomes(docker_engine, lab_image, container_session, tmp_path_factory):
    """Run every job in parallel; key -> Outcome, or the exception the job raised."""
    image, user = lab_image
    jobs = _jobs(image)
    files = tmp_path_factory.mktemp("pod-files")
    begin = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {job.key: pool.submit(run_job, docker_engine, job, container_session, files, user)
                   for job in jobs}
    results = {key: (f.exception() or f.result()) for key, f in futures.items()}
    TIER["runs"] = f"{len(jobs)} container runs in {time.monotonic() - begin:.1f}s"
    return results


def _outcome(outcomes, key):
    found = outcomes[key]
    if isinstance(found, NotModelled):
        pytest.skip(f"{key}: not modelled by the container tier: {found} (see tests/containers/podrun.py)")
    if isinstance(found, BaseException):
        raise found
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_broken_manifest_shows_the_symptom(scenario, outcomes):
    outcome = _outcome(outcomes, f"{scenario.id}-broken")
    problems = check_broken(scenario, outcome)
    assert not problems, f"{scenario.id} broken ({scenario.cause}):\n  " + "\n  ".join(problems) + \
        f"\nlogs:\n{outcome.logs[-2000:]}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_solution_keeps_running_and_healthy(scenario, outcomes):
    outcome = _outcome(outcomes, f"{scenario.id}-solution")
    problems = check_solution(scenario, outcome)
    assert not problems, f"{scenario.id} solution:\n  " + "\n  ".join(problems) + \
        f"\nlogs:\n{outcome.logs[-2000:]}"


@pytest.mark.parametrize("cause", sorted(MUTATIONS))
def test_check_reports_a_broken_manifest_that_no_longer_breaks(cause, outcomes):
    scenario = MUTATED[cause]
    if scenario is None:
        pytest.skip(f"no scenario with cause {cause} in the catalogue")
    outcome = _outcome(outcomes, f"{scenario.id}-mutated")
    problems = check_broken(scenario, outcome)
    expected = MUTATIONS[cause][1]
    assert any(expected in problem for problem in problems), problems
