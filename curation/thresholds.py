"""The config values a rule's measurement was compared with, for `curate explain` and the report.

Filters store what they measured under their versioned name (``gopher_quality_v1: {stop_words:
0, ...}``); the thresholds are config keys of the run (``quality.gopher_quality.min_stop_words``),
recorded in its manifest. A rule is paired with the keys of its filter's config section whose
words hold the rule's (``gopher_stop_words`` -> ``min_stop_words``, ``gopher_bullet_lines`` ->
``max_bullet_lines_ratio``, ``langid_low_score`` -> ``min_score``), min_/max_ saying the
direction. Best effort: a rule with no such key shows its values alone.
"""

from __future__ import annotations

import re

_PREFIXES = ("gopher", "c4", "fineweb", "code", "langid", "book", "url")
_QUALIFIERS = {"low", "high", "short", "long", "too", "few", "many", "max", "min", "ratio", "frac", "fraction"}


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[_\W]+", name.lower()) if w}


def _section(config: dict, filter_name: str) -> tuple[str, dict] | None:
    """The config section of a filter: its versioned name without the version, found anywhere in
    the config tree (``gopher_quality_v1`` -> ``quality.gopher_quality``)."""
    base = re.sub(r"_v\d+$", "", filter_name or "")
    names = [base, base.rsplit("_", 1)[0]] if "_" in base else [base]

    def find(node: dict, path: str, name: str):
        for k, v in node.items():
            if isinstance(v, dict):
                here = f"{path}.{k}" if path else k
                if k == name:
                    return here, v
                hit = find(v, here, name)
                if hit:
                    return hit
        return None

    for name in names:  # the filters' own sections first: read.code is the reader's, quality.code the rules'
        hit = find(config.get("quality") or {}, "quality", name) or find(config, "", name)
        if hit:
            return hit
    return None


def thresholds(rule: str, filter_name: str, config: dict | None) -> dict[str, object]:
    """{config key: value} the rule compared with, e.g. {"quality.gopher_quality.min_stop_words": 2}."""
    if not config or not rule:
        return {}
    hit = _section(config, filter_name)
    if hit is None:
        return {}
    path, section = hit
    words = _words(rule)
    m = re.search(r"_(top|dup)_(\d+)_gram$", rule)
    if m:  # per-n lists: top_n_grams: [[2, 0.2], ...] (Gopher's repetition table)
        for n, value in section.get(f"{m.group(1)}_n_grams") or []:
            if int(n) == int(m.group(2)):
                return {f"{path}.{m.group(1)}_n_grams[{m.group(2)}]": value}
        return {}
    want = words - set(_PREFIXES) - _QUALIFIERS
    if not want:
        return {}
    numeric = {k: v for k, v in section.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    exact = {k: v for k, v in numeric.items() if _words(k) - _QUALIFIERS - {"thr"} == want}
    found = exact or {k: v for k, v in numeric.items() if want <= _words(k) - _QUALIFIERS}
    # "short", "low", "few": the minimum; "long", "high", "many": the maximum
    side = "min_" if words & {"short", "low", "few"} else "max_" if words & {"long", "high", "many"} else ""
    if side and any(k.startswith(side) for k in found):
        found = {k: v for k, v in found.items() if k.startswith(side)}
    return {f"{path}.{k}": v for k, v in sorted(found.items())}
