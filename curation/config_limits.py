"""Bounds on what a config may ask for: YAML size and alias expansion, numeric keys, plugins.

A config is user input like any other (docs/robustness.md, "Red-team findings"): a YAML bomb
(a few hundred bytes whose aliases expand to hundreds of millions of nodes) must be refused
while it is read, a number that would hang graph construction or overflow a hash seed must be
refused with the key's name, and a plugin that is not installed must be reported before
anything runs. Each refusal is one ConfigError line (exit 2).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import yaml

from curation.errors import ConfigError

MAX_YAML_BYTES = 1 << 20  # a config is a few KB; 1 MiB leaves room for long word lists
MAX_YAML_NODES = 100_000  # nodes after alias expansion: a bomb is refused, a long list is not
MAX_ABS_NUMBER = 2**53  # beyond this an integer is not even exact as a float: never a real setting

# Keys whose range the code depends on (graph size, hash seeds): (low, high), inclusive.
BOUNDS: dict[str, tuple[float, float]] = {
    "dedup.num_perm": (16, 1024),  # permutations per signature; 1024 is 4x the largest published setting
    "dedup.seed": (0, 2**32 - 1),  # numpy's MinHash seed range
    "seed": (0, 2**63 - 1),
    "tokenizer.seed": (0, 2**31 - 1),
    "tokenizer.num_threads": (0, 1024),
    "tokenizer.vocab_size": (1, 1 << 20),
}
# Numeric key names that count or measure something: never negative.
_COUNT_WORDS = ("bytes", "chars", "tokens", "words", "depth", "timeout", "num_", "_n", "ngram", "rounds", "size",
                "length", "lines", "sentences", "seed", "threads")


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses a document whose alias expansion passes MAX_YAML_NODES."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_YAML_NODES:
            raise ConfigError(f"the YAML expands to more than {MAX_YAML_NODES:,} values through aliases "
                              "(a YAML bomb?): refused")
        return node


def _expanded_size(node, memo: dict) -> int:
    """Nodes in ``node`` with every alias expanded, memoised per node (so counting is cheap)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_YAML_NODES + 1  # a cycle (a recursive alias) counts as too big
    if isinstance(node, yaml.SequenceNode):
        n = 1 + sum(_expanded_size(c, memo) for c in node.value)
    elif isinstance(node, yaml.MappingNode):
        n = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        n = 1
    memo[key] = min(n, MAX_YAML_NODES + 1)
    return memo[key]


def load_bounded(text: str, what: str) -> Any:
    """``yaml.safe_load`` with the size and expansion caps; ``what`` names the source in errors."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise ConfigError(f"{what} is larger than {MAX_YAML_BYTES:,} bytes: not a config")
    return yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass


def check_numbers(cfg: Any, path: str = "") -> None:
    """Every numeric key finite and in range (BOUNDS, else non-negative for counts and sizes)."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        key = f"{path}.{f.name}" if path else f.name
        if dataclasses.is_dataclass(value):
            check_numbers(value, key)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_number(key, f.name, value)


def _check_number(key: str, name: str, value: float) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key} must be a finite number, got {value}")
    if abs(value) > MAX_ABS_NUMBER:
        raise ConfigError(f"{key} is out of range: {value}")
    if key in BOUNDS:
        lo, hi = BOUNDS[key]
        if not lo <= value <= hi:
            raise ConfigError(f"{key} must be in [{lo}, {hi}], got {value}")
    elif value < 0 and any(w in name for w in _COUNT_WORDS):
        raise ConfigError(f"{key} must not be negative, got {value}")


def check_plugins(plugins) -> None:
    """Every configured plugin installed (entry-point group curate.filters), before anything runs."""
    if not plugins:
        return
    from filters.plugins import GROUP, discover

    installed = discover()
    for spec in plugins:
        if spec.name not in installed:
            known = ", ".join(installed) or "none installed"
            raise ConfigError(f"plugins: no filter plugin named '{spec.name}' in entry-point group {GROUP} "
                              f"(installed: {known})")
