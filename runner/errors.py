"""Exceptions the CLI turns into one line and an exit code.

Exit codes are part of the interface (scripts and CI read them):
0 ok, 1 a check did not pass (not fixed yet, selftest red), 2 bad input
(a file, flag or catalogue entry), 3 the environment is missing something
(Docker, kind, kubectl), 4 the cluster could not be reached or refused,
130 interrupted.
"""

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3
EXIT_CLUSTER = 4
EXIT_INTERRUPTED = 130


class CrashlabError(Exception):
    """A problem the user can act on; its message is one line that says what to do."""

    exit_code = EXIT_CHECK_FAILED


class UsageError(CrashlabError):
    """A flag or argument is wrong."""

    exit_code = EXIT_BAD_INPUT


class InputError(CrashlabError):
    """A file the user gave cannot be read or understood."""

    exit_code = EXIT_BAD_INPUT


class CatalogError(CrashlabError):
    """A lab or scenario file is invalid; carries every problem found."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "invalid catalogue"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class EnvironmentProblem(CrashlabError):
    """Something the lab needs on this machine is missing or not running."""

    exit_code = EXIT_ENVIRONMENT


class ClusterError(CrashlabError):
    """The Kubernetes API could not be reached, or refused a request."""

    exit_code = EXIT_CLUSTER


class NotOwnedError(ClusterError):
    """The lab was asked to touch an object it did not create."""


class CheckFailed(CrashlabError):
    """A verification ran and did not pass (not fixed yet, selftest red)."""

    exit_code = EXIT_CHECK_FAILED
