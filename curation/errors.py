"""The three tiers of bad input (see docs/contracts.md).

* ``UserError``: bad configuration, a missing path or model. Fails at start; the CLI prints one
  line and exits 2.
* Expected bad data (a revisit record, a binary file) is a counted, reasoned skip: no exception.
* An unexpected per-record exception is caught by the stage wrapper, counted as
  ``failed/<kind>`` and logged in one line; it never kills the run.
"""


class CurateError(Exception):
    """Base class for errors curate raises on purpose."""


class UserError(CurateError):
    """Something the user must fix: exit code 2 with a one-line message."""

    exit_code = 2


class ConfigError(UserError):
    """A bad configuration key or value."""


class InputError(UserError):
    """A named input that does not exist, cannot be read, or no readable input at all."""


class AccountingError(CurateError):
    """in != out + removed + failed for some stage: the run must fail, never publish."""


class OutputLockedError(UserError):
    """Another run holds the lock on the output folder."""
