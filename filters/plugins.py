"""Custom filters from other packages, through the ``curate.filters`` entry-point group.

A plugin package declares, in its pyproject.toml::

    [project.entry-points."curate.filters"]
    shouting = "my_package.filters:ShoutingFilter"

and the user turns it on in the config::

    plugins:
      - name: shouting
        options: {max_upper_ratio: 0.5}

The entry point names a ``filters.base.Filter`` subclass (or any factory returning one),
called with ``options`` as keyword arguments. Plugin filters run in the quality stage after the
built-in rules, inside the same wrapper: counted, their rejects kept with rule values, their
exceptions counted as failures. ``curate filters --list`` shows them beside the built-ins.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from curation.errors import ConfigError

GROUP = "curate.filters"


def discover() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name)}


def load(name: str, options: dict | None = None):
    from filters.base import Filter

    eps = discover()
    if name not in eps:
        known = ", ".join(eps) or "none installed"
        raise ConfigError(f"plugins: no filter plugin named '{name}' in entry-point group {GROUP} (installed: {known})")
    try:
        factory = eps[name].load()
    except Exception as e:  # a broken plugin package must fail at start, naming itself
        raise ConfigError(f"plugins: cannot load '{name}' ({eps[name].value}): {type(e).__name__}: {e}") from None
    try:
        f = factory(**(options or {}))
    except TypeError as e:
        raise ConfigError(f"plugins: '{name}' does not accept these options: {e}") from None
    if not isinstance(f, Filter) and not (hasattr(f, "apply") and hasattr(f, "name")):
        raise ConfigError(f"plugins: '{name}' did not give a filter (an object with name and apply(doc))")
    if not getattr(f, "stage", None):
        f.stage = "quality"
    return f


def plugin_filters(specs) -> list:
    """Instances for the config's ``plugins`` list, in order."""
    return [load(s.name, dict(s.options)) for s in specs]
