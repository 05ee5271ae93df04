"""Pure diagnosis: pod + events + logs -> cause + evidence (the workshop's flowchart).

Never imports `kubernetes`; the CLI and session feed it plain camelCase dicts.
"""

from runner.diagnose.engine import diagnose
from runner.diagnose.model import CAUSE_TABLE, CAUSES, Candidate, Diagnosis

__all__ = ["CAUSE_TABLE", "CAUSES", "Candidate", "Diagnosis", "diagnose"]
