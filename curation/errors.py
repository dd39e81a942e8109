"""The three tiers of bad input (see docs/contracts.md).

* ``UserError``: bad configuration, a missing path or model. Fails at start; the CLI prints one
  line and exits 2.
* Expected bad data (a revisit record, a binary file) is a counted, reasoned skip: no exception.
* An unexpected per-record exception is caught by the stage wrapper, counted as
  ``failed/<kind>`` and logged in one line; it never kills the run.
"""


import re


class CurateError(Exception):
    """Base class for errors curate raises on purpose."""

    def in_worker(self) -> "CurateError":
        """The same error, its type written into the message: raised inside a Beam worker it
        reaches the driver wrapped in the runner's own exception (on a cluster only as text),
        and ``from_worker`` reads the type back instead of matching words of the message."""
        return type(self)(f"[{_TAG}:{type(self).__name__}] {self}")


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


_TAG = "curate-error"
_WIRE = re.compile(r"\[" + _TAG + r":(\w+)\] ([^\n]*)")


def _types(cls=CurateError) -> dict[str, type]:
    out = {cls.__name__: cls}
    for sub in cls.__subclasses__():
        out.update(_types(sub))
    return out


def from_worker(exc: BaseException) -> CurateError | None:
    """The CurateError behind an exception a pipeline run raised, or None: the error itself
    when it is in the chain of causes (in-process runners), else the one ``in_worker`` wrote
    into the message (runners that pass worker errors on as text)."""
    seen, e = set(), exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, CurateError):
            m = _WIRE.search(str(e))
            return type(e)(m.group(2)) if m else e
        e = e.__cause__ or e.__context__
    m = _WIRE.search(str(exc))
    if m and m.group(1) in _types():
        return _types()[m.group(1)](m.group(2).strip().rstrip("'\""))
    return None
