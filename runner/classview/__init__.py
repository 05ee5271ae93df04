"""The instructor's live class view: who is stuck, on what, right now.

Pure core (`model`, `build`, `table`, `page`): participants' namespaces, pods, Deployments
and progress records in, a grid of participants × scenarios out. The edges: `feed` follows
the cluster with one watch per kind (whatever the class size), `web` serves the page.

    view = build_view("lab-3", lab.scenario_ids, namespaces, pods, deployments, checked)
    view.rows[0].help        # ("no progress for 14 min", "4 wrong answers on oom-killed")
"""

from runner.classview.build import build_view
from runner.classview.model import STATES, Cell, ClassView, ParticipantRow, Thresholds

__all__ = ["STATES", "Cell", "ClassView", "ParticipantRow", "Thresholds", "build_view"]
