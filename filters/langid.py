"""Language identification with fastText lid.176 (Joulin et al. 2016, "Bag of Tricks").

Annotates every routed document with ``lang`` (lid.176's code, e.g. ``en``, ``zh``; ``und``
when the text is too short to trust) and ``lang_score`` (its probability), then keeps it by an
allowlist and, for the sources in ``min_score_sources``, a per-language minimum score.
FineWeb keeps English at 0.65 (Penedo et al. 2024).

How a long document is classified is chosen by bench/langid_accuracy.py (docs/filters.md):
``head`` reads the first ``head_chars`` characters, ``whole`` the whole text with newlines
folded, ``paragraph_vote`` sums length x probability over (at most 64 evenly spaced) paragraphs.
"""

from __future__ import annotations

import re
from collections import defaultdict

from curation.config import LangIdConfig
from curation.document import Document
from filters.base import Filter, Verdict

UNDETERMINED = "und"
_MAX_VOTE_PARAGRAPHS = 64  # bounds the cost on a 200k-word book; evenly spaced keeps coverage
_PARA_RE = re.compile(r"\n\s*\n")


class LangId(Filter):
    name = "langid_v1"
    stage = "langid"
    rules = ("langid_too_short", "langid_not_allowed", "langid_low_score")

    def __init__(self, cfg: LangIdConfig | None = None):
        self.cfg = cfg or LangIdConfig()
        self.sources = tuple(self.cfg.sources)
        self._model = None

    def setup(self) -> None:
        from curation import fasttext_model

        if self._model is None:
            self._model = fasttext_model.load(self.cfg.model_path) if self.cfg.model_path else fasttext_model.load_lid176()

    def __getstate__(self):
        return {"cfg": self.cfg, "sources": self.sources, "_model": None}

    def identify(self, text: str) -> tuple[str, float]:
        """``(lang, score)`` of ``text`` by the configured method."""
        if self._model is None:
            self.setup()
        stripped = text.strip()
        if len(stripped) < self.cfg.min_chars:
            return UNDETERMINED, 0.0
        method = self.cfg.method
        if method == "head":
            return self._top(stripped[: self.cfg.head_chars])
        if method == "whole":
            return self._top(stripped)
        return self._vote(stripped)

    def _top(self, text: str) -> tuple[str, float]:
        pred = self._model.predict(text, 1)
        return pred[0] if pred else (UNDETERMINED, 0.0)

    def _vote(self, text: str) -> tuple[str, float]:
        paras = [p for p in _PARA_RE.split(text) if len(p.strip()) >= self.cfg.min_chars] or [text]
        if len(paras) > _MAX_VOTE_PARAGRAPHS:
            step = len(paras) / _MAX_VOTE_PARAGRAPHS
            paras = [paras[int(i * step)] for i in range(_MAX_VOTE_PARAGRAPHS)]
        weight: dict[str, float] = defaultdict(float)
        total = 0.0
        for p in paras:
            lang, prob = self._top(p)
            weight[lang] += len(p) * prob
            total += len(p)
        lang = max(sorted(weight), key=weight.__getitem__)
        return lang, weight[lang] / total if total else 0.0

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        lang, score = self.identify(doc.text)
        score = round(score, 4)
        doc = doc.with_metadata(lang=lang, lang_score=score)
        cfg = self.cfg
        if cfg.allowlist and lang not in cfg.allowlist:
            return doc, Verdict.drop("langid_not_allowed")
        if doc.source in cfg.min_score_sources:
            if lang == UNDETERMINED:
                return doc, Verdict.drop("langid_too_short")
            if score < cfg.min_score_by_lang.get(lang, cfg.min_score):
                return doc, Verdict.drop("langid_low_score")
        return doc, Verdict.ok()
