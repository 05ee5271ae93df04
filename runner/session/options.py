"""What one `crashlab run` was asked to do."""

from dataclasses import dataclass
from pathlib import Path


@dataclass
class SessionOptions:
    lab: str
    participant: str
    results_path: Path
    workspace: Path                      # workspace/<lab>/
    image: str = "crashlab/lab-app:0.1.0"
    context: str = ""
    server: str = ""
    kind: bool = True
    stability_window: int | None = None  # overrides each scenario's window (demos, tests)
    solve: bool = False                  # apply the reference solution instead of the workspace file
    yes: bool = False                    # never wait for Enter
    only: str | None = None              # run just this scenario
    fix_timeout: float = 180.0           # unattended: give up on a fix after this long
    resume: str | None = None            # the resume command when it is not the lab's own

    def resume_command(self) -> str:
        if self.resume:
            return self.resume
        return f"make lab-3 (or: crashlab run {self.lab} --participant {self.participant})"
