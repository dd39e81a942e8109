"""Code rules in the style of The Stack and StarCoder (Kocetkov et al. 2022; Li et al. 2023,
section 3): drop files with a line longer than 1000 characters, a mean line length above 100,
fewer than 25% alphanumeric characters (minified, generated or binary-like), or more than half
of their non-blank characters in numeric or hexadecimal data literals (embedded tables, blobs).
Only these rules apply to code; web rule sets would drop most real source files.
"""

from __future__ import annotations

import re

from curation.config import CodeRulesConfig
from curation.document import Document
from filters.base import Filter, Verdict

_ALNUM_RUNS = re.compile(r"[^\W_]+")
_WHITESPACE = re.compile(r"\s+")
# Numeric data: hex and decimal literals, \xNN escape runs, long hex strings (digests, blobs).
_DATA = re.compile(r"(?:\\x[0-9a-fA-F]{2})+|\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]{16,}\b|\b\d+(?:\.\d+)?\b")


class CodeRules(Filter):
    name = "code_rules_v1"
    stage = "quality"
    rules = ("code_empty", "code_max_line_length", "code_mean_line_length", "code_alnum_fraction", "code_hex_fraction")

    def __init__(self, cfg: CodeRulesConfig | None = None, sources=("code",)):
        self.cfg = cfg or CodeRulesConfig()
        self.sources = tuple(sources) if sources is not None else None

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        cfg = self.cfg
        text = doc.text
        n_chars = len(text)
        if not text.strip():
            return doc, Verdict.drop("code_empty")
        lens = [len(ln) for ln in text.splitlines()]
        values: dict = {"max_line_length": max(lens), "mean_line_length": round(sum(lens) / len(lens), 2)}
        if values["max_line_length"] > cfg.max_line_length:
            return doc, Verdict.drop("code_max_line_length", **values)
        if sum(lens) / len(lens) > cfg.max_mean_line_length:
            return doc, Verdict.drop("code_mean_line_length", **values)
        alnum = n_chars - len(_ALNUM_RUNS.sub("", text))
        values["alnum_fraction"] = round(alnum / n_chars, 4)
        if alnum / n_chars < cfg.min_alnum_fraction:
            return doc, Verdict.drop("code_alnum_fraction", **values)
        visible = n_chars - sum(map(len, _WHITESPACE.findall(text)))
        data = sum(map(len, _DATA.findall(text)))
        values["hex_fraction"] = round(data / visible, 4)
        if data / visible > cfg.max_hex_fraction:
            return doc, Verdict.drop("code_hex_fraction", **values)
        return doc, Verdict.ok(**values)
