"""Results records shaped like the lab session writes them, for grading tests and benches."""

from __future__ import annotations

import datetime
import json
import random
from pathlib import Path

from runner import placement, results
from runner.results import records

LAB = "lab-3"
SCENARIOS = ("bad-command", "oom-killed", "invalid-app-config", "invalid-user",
             "failing-liveness-probe")
CAUSES = {"bad-command": "bad_command", "oom-killed": "oom_killed",
          "invalid-app-config": "app_config", "invalid-user": "permissions",
          "failing-liveness-probe": "liveness_probe"}
WRONG = {"bad-command": ["image_pull", "app_config"], "oom-killed": ["liveness_probe", "app_config"],
         "invalid-app-config": ["missing_config", "bad_command"],
         "invalid-user": ["app_config", "bad_command"],
         "failing-liveness-probe": ["readiness_probe", "oom_killed"]}
START = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.timezone.utc)


def at(seconds: float) -> str:
    return results.now_iso(START + datetime.timedelta(seconds=seconds))


def scenario_entry(participant: str, scenario: str, *, status="verified", wrong=(), hints=0,
                   evidence=0, revealed=False, diagnose=90.0, fix=240.0, offset=0.0) -> dict:
    entry = records.new_scenario(scenario, CAUSES[scenario],
                                 placement.namespace_name(participant, _slug(scenario)))
    entry.update(status=status, startedAt=at(offset), hintsShown=hints, evidenceShown=evidence,
                 solutionRevealed=revealed)
    attempts = [{"answer": answer, "correct": False, "at": at(offset + 30 * (i + 1))}
                for i, answer in enumerate(wrong)]
    if status in ("verified", "revealed", "fixing"):
        attempts.append({"answer": CAUSES[scenario], "correct": True, "at": at(offset + diagnose)})
        entry.update(diagnosedAt=at(offset + diagnose), timeToDiagnoseSeconds=diagnose)
        entry["quiz"]["evidence"]["attempts"] = [{"answer": "e1", "correct": True,
                                                  "at": at(offset + diagnose + 20)}]
    entry["quiz"]["cause"]["attempts"] = attempts
    if status in ("verified", "revealed"):
        entry.update(fixedAt=at(offset + fix), timeToFixSeconds=fix,
                     fixAppliedBy="solution" if revealed else "workspace",
                     verification={"verifiedAt": at(offset + fix), "podUid": "6f1c-uid",
                                    "podName": f"{scenario}-7d9c5b7f4-x2k8q", "restartCount": 0,
                                    "brokenRestartCount": 4, "windowSeconds": 15,
                                    "guards": ["kept"], "symptom": ["restartCount >= 1"]})
    return entry


def record(participant: str, entries: list[dict] | None = None, updated: float = 3000.0) -> dict:
    rec = records.new_record(LAB, participant, SCENARIOS, started_at=at(0),
                             cluster={"context": "kind-crashlab", "server": "https://127.0.0.1:6443",
                                      "kind": True})
    rec["updatedAt"] = at(updated)
    if entries is not None:
        by_id = {e["id"]: e for e in entries}
        rec["scenarios"] = [by_id.get(s, rec["scenarios"][i]) for i, s in enumerate(SCENARIOS)]
    return rec


def random_record(participant: str, rng: random.Random) -> dict:
    """A plausible participant: mostly fixed, some wrong answers, hints, a reveal or two."""
    entries, offset = [], 0.0
    hardness = {"bad-command": 0.1, "oom-killed": 0.3, "invalid-app-config": 0.35,
                "invalid-user": 0.5, "failing-liveness-probe": 0.6}
    for index, scenario in enumerate(SCENARIOS):
        h = hardness[scenario]
        roll = rng.random()
        if index >= 4 and roll < 0.08:
            entries.append(scenario_entry(participant, scenario, status="investigating",
                                          wrong=WRONG[scenario][:1], offset=offset))
            continue
        wrong = [w for w in WRONG[scenario] if rng.random() < h * 0.9][:2]
        revealed = rng.random() < h * 0.35
        diagnose = round(40 + rng.random() * 200 * (0.5 + h), 1)
        fix = round(diagnose + 60 + rng.random() * 420 * (0.5 + h), 1)
        entries.append(scenario_entry(participant, scenario,
                                      status="revealed" if revealed else "verified", wrong=wrong,
                                      hints=min(3, int(rng.random() * 4 * h)),
                                      evidence=int(rng.random() < h * 0.5), revealed=revealed,
                                      diagnose=diagnose, fix=fix, offset=offset))
        offset += fix + 30
    return record(participant, entries, updated=offset + 60)


def write(path: Path, rec: dict, key: str | None = None) -> Path:
    return Path(path) if results.save_results(rec, path, key=key, environ={}) is not None else path


NAMES = ("ada", "alan", "barbara", "grace", "edsger", "donald", "margaret", "ken", "dennis",
         "linus", "radia", "frances", "john", "leslie", "tim", "sophie", "katherine", "guido")


def sample_class(folder: Path, key: str, size: int = 12, seed: int = 7) -> list[str]:
    """A folder of signed results for `size` participants; returns their names."""
    rng = random.Random(seed)
    names = [NAMES[i] if i < len(NAMES) else f"p{i:04d}" for i in range(size)]
    for name in names:
        write(Path(folder) / f"{LAB}-{name}.json", random_record(name, rng), key)
    return names


def dump(path: Path, data) -> Path:
    Path(path).write_text(json.dumps(data, indent=2))
    return Path(path)


def sample_class_with_problems(folder: Path, key: str) -> list[str]:
    """sample_class plus one file of each problem grading flags; returns the roster."""
    names = sample_class(folder, key, 12)
    folder = Path(folder)
    write(folder / f"{LAB}-tim.json", random_record("tim", random.Random(1)))          # unsigned
    mallory = folder / f"{LAB}-mallory.json"
    write(mallory, random_record("mallory", random.Random(2)), key)
    mallory.write_text(mallory.read_text().replace('"hintsShown": 1', '"hintsShown": 0', 1)
                       .replace('"revealed"', '"verified"', 1))                       # tampered
    broken = folder / f"{LAB}-leslie.json"
    write(broken, random_record("leslie", random.Random(3)), key)
    broken.write_text(broken.read_text()[:900])                                       # truncated
    write(folder / f"{LAB}-ada-laptop2.json", record("ada", updated=60), key)           # duplicate
    return names + ["tim", "mallory", "leslie", "sophie"]                             # sophie: missing


def _slug(scenario_id: str) -> str:
    from runner.catalog import load_catalog

    return load_catalog(manifests=False).scenario(scenario_id).slug
