"""Pure diagnosis: pod + events + logs -> cause + evidence (the workshop's flowchart).

Never imports `kubernetes`; the CLI and session feed it plain camelCase dicts.
"""

from runner.diagnose.engine import diagnose
from runner.diagnose.model import CAUSES, Diagnosis

__all__ = ["CAUSES", "Diagnosis", "diagnose"]
