"""Find a lab's scenarios by id or by neutral slug, with one message for an unknown one. Pure."""

from __future__ import annotations

from runner.errors import UsageError


def lab_scenarios(catalog, lab_id: str, wanted=None) -> list:
    """The lab's scenarios in its order; only the `wanted` ones when given, each named by its
    id or by its slug (the name `crashlab list` shows). UsageError when one is not in the lab;
    it lists the slugs, never the ids (an id names the cause)."""
    lab = catalog.lab(lab_id)
    if not wanted:
        return catalog.lab_scenarios(lab_id)
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    by_slug = {lab.slug(sid): sid for sid in lab.scenario_ids}
    ids = {name: name if name in lab.scenario_ids else by_slug.get(name) for name in wanted}
    unknown = [name for name, sid in ids.items() if sid is None]
    if unknown:
        raise UsageError(f"no scenario {', '.join(unknown)} in {lab.id}; choose from "
                         f"{', '.join(by_slug)}")
    return [s for s in catalog.lab_scenarios(lab_id) if s.id in ids.values()]
