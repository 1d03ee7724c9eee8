"""The root of the project's exception hierarchy.

Every error a user can cause (bad input, bad configuration, a missing file or
tool) derives from :class:`UserError`; the CLI prints its message as one line
and exits with status 2, never with a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """An error caused by input, configuration or environment, not by a bug."""

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        return str(self.args[0]) if self.args else type(self).__name__


class ConfigError(UserError):
    """Bad YAML, an unknown key, a wrong type or an out-of-range value."""


class UsageError(UserError):
    """A bad command line: an empty task, a missing file, conflicting flags."""
