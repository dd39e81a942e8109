"""Text repair before language ID: mojibake and broken Unicode, normal form, control characters.

Runs first in the langid stage (pipelines/langid.py) on web, books and docs, so language ID,
the quality rules and dedup all see the repaired text. Code is not routed here: a source file
must stay byte-exact. Three steps, in this order:

1. ftfy (Speer 2019, ``fix_text``): text decoded with the wrong codec ("doesnâ€™t" ->
   "doesn’t"), C1 controls that stand for cp1252 punctuation, lone surrogates, terminal
   colour escapes, Latin ligatures. It runs before control characters are removed because
   mojibake often contains C1 code points it needs to read. Curly quotes, full-width forms
   and HTML entities are left alone: changing them is normalisation of correct text, not repair
   (and "&amp;" may be the literal text of a page about HTML).
2. Control characters: C0/C1 controls except tab and newline go; "\r\n", lone "\r" and form
   feed become "\n" (Project Gutenberg files and old pages use them).
3. Unicode normalisation, NFC by default: composed and decomposed "é" become one string, which
   exact dedup and decontamination rely on (NFKC would also fold ligatures and full-width
   letters).

Never drops a document. When anything changed, ``metadata["repair_v1"]`` says which steps did,
and the stage counts them as metrics (``langid / repair_v1/changed`` ...), over kept and
rejected documents alike.
"""

from __future__ import annotations

import re
import unicodedata

from curation.config import RepairConfig
from curation.document import Document
from filters.base import Filter, Verdict

# Everything in category Cc except "\t" and "\n"; "\r" and "\f" are handled as line breaks.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BREAK_RE = re.compile(r"\r\n?|\f")
# ASCII text needs no ftfy and no normalisation; only these could change it.
_ASCII_SUSPECT_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Repair(Filter):
    name = "repair_v1"
    stage = "langid"
    rules = ()
    metrics = ("changed", "ftfy", "control_chars", "normalized")
    count_rejected_metrics = True  # a repaired page that language ID then drops was still repaired

    def __init__(self, cfg: RepairConfig | None = None):
        self.cfg = cfg or RepairConfig()
        self.sources = tuple(self.cfg.sources)
        self._ftfy_config = None

    def setup(self) -> None:
        if self._ftfy_config is None and self.cfg.ftfy:
            import ftfy

            self._ftfy_config = ftfy.TextFixerConfig(
                unescape_html=False, uncurl_quotes=False, fix_character_width=False,
                fix_line_breaks=False, remove_control_chars=False,  # step 2 does these, after ftfy
                normalization=None, explain=False,  # step 3 normalises
            )

    def __getstate__(self):
        return {"cfg": self.cfg, "sources": self.sources, "_ftfy_config": None}

    def repair(self, text: str) -> tuple[str, dict[str, int]]:
        """``(repaired text, {step: 1 for each step that changed it})``."""
        if text.isascii() and not _ASCII_SUSPECT_RE.search(text):
            return text, {}
        cfg = self.cfg
        steps: dict[str, int] = {}
        if cfg.ftfy:
            if self._ftfy_config is None:
                self.setup()
            import ftfy

            fixed = ftfy.fix_text(text, self._ftfy_config)
            if fixed != text:
                steps["ftfy"] = 1
                text = fixed
        if cfg.remove_control_chars:
            fixed = _CONTROL_RE.sub("", _BREAK_RE.sub("\n", text))
            if fixed != text:
                steps["control_chars"] = 1
                text = fixed
        if cfg.normalization != "none" and not text.isascii():
            fixed = unicodedata.normalize(cfg.normalization, text)
            if fixed != text:
                steps["normalized"] = 1
                text = fixed
        return text, steps

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        text, steps = self.repair(doc.text)
        if not steps:
            return doc, Verdict.ok()
        return Document(doc.id, text, doc.source, dict(doc.metadata)), Verdict.ok(changed=1, **steps)
