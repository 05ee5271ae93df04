"""Find a lab's scenarios by id, with one message for an unknown one. Pure."""

from __future__ import annotations

from runner.errors import UsageError


def lab_scenarios(catalog, lab_id: str, wanted=None) -> list:
    """The lab's scenarios in its order; only the `wanted` ids when given (UsageError when
    one of them is not in the lab)."""
    lab = catalog.lab(lab_id)
    if not wanted:
        return catalog.lab_scenarios(lab_id)
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    unknown = [s for s in wanted if s not in lab.scenario_ids]
    if unknown:
        raise UsageError(f"no scenario {', '.join(unknown)} in {lab.id}; choose from "
                         f"{', '.join(lab.scenario_ids)}")
    return [s for s in catalog.lab_scenarios(lab_id) if s.id in wanted]
