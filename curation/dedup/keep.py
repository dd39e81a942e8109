"""The keep policy as a sort key (docs/contracts.md, "Dedup").

Within a cluster the document with the smallest key survives:
1. reference documents first (rank -1: a decontamination set always wins and is never removed),
2. then source priority (``dedup.source_priority``; a source not listed ranks after all listed),
3. then fewer quality flags (``metadata["quality_flags"]``: a count or a list of flags),
4. then more words (whitespace tokens: the size measure that needs no tokenizer),
5. then the smallest id.

The key doubles as the node label of the connected-components rounds (components.py), so the
minimum of a component is its survivor on every runner and every rerun.
"""

from __future__ import annotations

import re
from typing import Any

from curation.document import Document

REFERENCE_RANK = -1
Node = tuple[int, int, int, str]
_WORD = re.compile(r"\S+")


def quality_flags(metadata: dict[str, Any]) -> int:
    v = metadata.get("quality_flags", 0)
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return max(v, 0)
    if isinstance(v, (list, tuple, dict)):
        return len(v)
    return 0


def word_count(text: str) -> int:
    """Whitespace-separated words; long texts are counted without building the list of words."""
    if len(text) < 1_000_000:
        return len(text.split())
    return sum(1 for _ in _WORD.finditer(text))


def node_key(doc: Document, source_priority: list[str], reference: bool = False) -> Node:
    if reference:
        rank = REFERENCE_RANK
    else:
        rank = source_priority.index(doc.source) if doc.source in source_priority else len(source_priority)
    return (rank, quality_flags(doc.metadata), -word_count(doc.text), doc.id)


def is_reference(node: Node) -> bool:
    return node[0] == REFERENCE_RANK


def node_id(node: Node) -> str:
    return node[3]
