"""The root of the project's exception hierarchy.

Every error a user can cause (bad input, bad configuration, a missing file or
tool) derives from :class:`UserError`; the CLI prints its message as one line
and exits with its ``exit_code``, never with a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """An error caused by input, configuration or environment, not by a bug."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        return str(self.args[0]) if self.args else type(self).__name__


class ConfigError(UserError):
    """Bad YAML, an unknown key, a wrong type or an out-of-range value."""

    exit_code = 2


class UsageError(UserError):
    """A bad command line: an empty task, a missing file, conflicting flags."""

    exit_code = 2
