"""What one `crashlab run` was asked to do, and the exact command that resumes it."""

import shlex
from dataclasses import dataclass
from pathlib import Path

DEFAULT_IMAGE = "crashlab/lab-app:0.1.0"
DEFAULT_CLUSTER = "crashlab"
DEFAULT_FIX_TIMEOUT = 180.0


@dataclass
class SessionOptions:
    lab: str
    participant: str
    results_path: Path
    workspace: Path                      # workspace/<lab>/
    image: str = DEFAULT_IMAGE
    context: str = ""
    server: str = ""
    kind: bool = True
    stability_window: int | None = None  # overrides each scenario's window (demos, tests)
    solve: bool = False                  # apply the reference solution, not the workspace file
    yes: bool = False                    # never wait for Enter
    only: str | None = None              # run just this scenario
    fix_timeout: float = DEFAULT_FIX_TIMEOUT  # unattended: give up on a fix after this long
    unattended: bool = False             # scripted answers (--answers): nobody at the keyboard
    guided: bool = False                 # the workshop's walkthrough style (instructor demos)
    answers: str | None = None           # the --answers file, as given
    cluster_name: str = DEFAULT_CLUSTER  # --name: the kind cluster (when kind is True)
    resume: str | None = None            # the resume command when it is not the lab's own
    mystery: tuple[str, int, str] | None = None  # a mystery round: (lab given, N, seed)

    @property
    def patient(self) -> bool:
        """A person is at the keyboard: never time out, never throw them out."""
        return not (self.unattended or self.yes or self.solve)

    def resume_command(self) -> str:
        """The exact command that resumes this run (every flag it was given), shell-quoted."""
        if self.resume:
            return self.resume
        if self.mystery:
            lab, count, seed = self.mystery
            return shlex.join(["crashlab", "run", lab, "--mystery", str(count), "--seed", seed,
                               *self.resume_flags()])
        return shlex.join(["crashlab", "run", self.lab, *self.resume_flags()])

    def resume_flags(self) -> list[str]:
        flags = ["--participant", self.participant]
        if not self.kind and self.context:
            flags += ["--context", self.context]
        elif self.cluster_name != DEFAULT_CLUSTER:
            flags += ["--name", self.cluster_name]
        if self.image != DEFAULT_IMAGE:
            flags += ["--image", self.image]
        flags += ["--results", str(self.results_path.parent),
                  "--workspace", str(self.workspace.parent)]
        if self.only:
            flags += ["--only", self.only]
        if self.guided:
            flags.append("--guided")
        if self.answers:
            flags += ["--answers", self.answers]
        if self.solve:
            flags.append("--solve")
        if self.yes:
            flags.append("--yes")
        if self.stability_window is not None:
            flags += ["--stability-window", str(self.stability_window)]
        if self.fix_timeout != DEFAULT_FIX_TIMEOUT:
            flags += ["--fix-timeout", f"{self.fix_timeout:g}"]
        return flags
