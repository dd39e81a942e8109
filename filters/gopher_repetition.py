"""Gopher repetition rules: Rae et al. 2021 (MassiveText), appendix A.1.1, table A1.

Dropped when duplicated lines exceed 30% of lines or 20% of characters, duplicated paragraphs
30% of paragraphs or 20% of characters, the most frequent 2/3/4-gram covers more than
20/18/16% of the characters, or duplicated 5..10-grams cover more than 15..10% of them.

Counting follows datatrove's reading of the paper (``find_duplicates``, ``find_top_duplicate``,
``find_all_duplicate``) so decisions agree, but n-grams are never built as strings: words become
integer ids, n-grams 64-bit polynomial hashes computed for every position at once with numpy,
and only positions whose hash occurs twice or more enter the (sequential) greedy scan for
duplicated n-grams. A hash collision needs two different n-grams to agree in 64 bits. One
difference from datatrove, deliberate: the top n-gram must occur at least twice (the paper
measures repetition; datatrove also counts an n-gram seen once, which drops any tiny document).

Books skip the two rules that count lines and paragraphs (``skip_rules``, registry.py): a play
or libretto repeats its speakers' names as paragraphs ("DALAND.") far above 30% while holding
little repeated text; the character-based rules still catch real repetition.
"""

from __future__ import annotations

import numpy as np

from curation.config import GopherRepetitionConfig
from curation.document import Document
from filters.base import Filter, Verdict
from filters.text import NO_SPACE_LANGS, doc_lang, duplicates, split

_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constants: spread ids, then roll the hash
_ROLL = np.uint64(0xC2B2AE3D27D4EB4F)


_SCAN_CHUNK = 1 << 16  # positions turned into Python ints at a time: a huge document is no huge list

# Past _PARTITION_AT positions the counts sort one slice of the hash values at a time, the slice
# chosen by a value's top bits (equal values share a slice, and slices in order keep values in
# sorted order): the sorts' arrays are then 1/_PARTS of the document's, and what stays is the
# document's own arrays (word ids, one n-gram level, character offsets, one group id per
# position), about 26 bytes per word where sorting everything at once held about 50
# (docs/robustness.md item 11). Small documents are sorted whole: 16 slices would cost more
# than they save.
_PARTITION_AT = 1 << 20
_PARTS = 16  # a power of two: a slice is a value's top log2(_PARTS) bits


def _parts(h: np.ndarray) -> int:
    return _PARTS if len(h) > _PARTITION_AT else 1


def _slices(h: np.ndarray, parts: int):
    """Positions of ``h`` (rising) whose values fall in each slice of the value range, slice by
    slice in rising order of the values; None (all positions, one slice) when ``parts`` is 1."""
    if parts == 1:
        yield None
        return
    bits = parts.bit_length() - 1  # parts: a power of two up to 256
    key = (h >> np.uint64(64 - bits)).astype(np.uint8)
    for b in range(parts):
        yield np.flatnonzero(key == b)


# The counts sort a copy of the hashes instead of calling np.unique: np.unique with indices,
# inverse and counts holds five or six arrays of 8 bytes per word at once (1.3 GB for one
# 9M-word book, docs/robustness.md item 11).


def _top_gram_whole(h: np.ndarray) -> tuple[int, int]:
    s = np.sort(h)
    new = np.empty(len(s), dtype=bool)
    new[0] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    del new
    counts = np.diff(starts, append=len(s))
    top = int(counts.max())
    if top < 2:
        return top, -1
    values = s[starts[counts == top]]
    del s, starts, counts
    return top, int(np.argmax(np.isin(h, values)))


def _top_gram(h: np.ndarray, parts: int | None = None) -> tuple[int, int]:
    """(count, first position) of the most frequent value of ``h``; among equally frequent
    values, the one that occurs first (Counter.most_common's order). Position -1 if no value
    repeats."""
    parts = parts or _parts(h)
    if parts == 1:
        return _top_gram_whole(h)
    best, first = 0, -1
    for pos in _slices(h, parts):
        if not len(pos):
            continue
        top, i = _top_gram_whole(h[pos])
        if top > best:
            best, first = top, (int(pos[i]) if i >= 0 else -1)
        elif top == best and i >= 0 and int(pos[i]) < first:
            first = int(pos[i])
        del pos
    return best, (first if best >= 2 else -1)


def _repeated(h: np.ndarray, parts: int | None = None) -> tuple[np.ndarray, int, bool]:
    """Each position's group, the dense id of its value numbered in sorted order of the values,
    as int32, or -1 where the value occurs once; the number of ids; whether any value repeats."""
    parts = parts or _parts(h)
    gid = np.full(len(h), -1, dtype=np.int32)
    n_groups, any_repeated = 0, False
    for pos in _slices(h, parts):
        if pos is not None and not len(pos):
            continue
        hb = h if pos is None else h[pos]
        order = np.argsort(hb)
        s = hb[order]
        del hb
        new = np.empty(len(s) + 1, dtype=bool)
        new[0] = new[-1] = True
        np.not_equal(s[1:], s[:-1], out=new[1:-1])
        del s
        rep = ~(new[:-1] & new[1:])  # a value that starts a group while the next position starts another: once
        group = np.cumsum(new[:-1], dtype=np.int32)
        group += np.int32(n_groups - 1)
        n_groups = int(group[-1]) + 1
        del new
        if rep.any():
            any_repeated = True
            gid[order[rep] if pos is None else pos[order[rep]]] = group[rep]
        del order, group, rep, pos
    return gid, n_groups, any_repeated


def _greedy_duplicated_chars(gid: np.ndarray, cum: np.ndarray, n: int, n_groups: int) -> int:
    """Characters (spaces excluded) in duplicated n-grams by datatrove's greedy scan: walk left
    to right; an n-gram seen before counts and the scan jumps past it. Positions whose n-gram
    occurs once (group -1) can neither count nor change the outcome and are passed over; the
    others carry their n-gram's group and their span in characters (from ``cum``, the words'
    character offsets). ``seen`` is one byte per group, and positions are taken in chunks:
    memory stays a few bytes per word."""
    seen = bytearray(n_groups)
    nxt = rep = 0
    for lo in range(0, len(gid), _SCAN_CHUNK):
        g = gid[lo : lo + _SCAN_CHUNK]
        idx = np.flatnonzero(g >= 0)
        if not len(idx):
            continue
        pos = idx + lo
        spans = cum[pos + n] - cum[pos]
        for p, grp, s in zip(pos.tolist(), g[idx].tolist(), spans.tolist()):
            if p < nxt:
                continue
            if seen[grp]:
                rep += s
                nxt = p + n
            else:
                seen[grp] = 1
    return rep


class GopherRepetition(Filter):
    name = "gopher_repetition_v1"
    stage = "quality"

    def __init__(self, cfg: GopherRepetitionConfig | None = None, sources=None, skip_rules=(), name: str | None = None,
                 by_lang: dict[str, GopherRepetitionConfig] | None = None, by_lang_skip=()):
        self.cfg = cfg or GopherRepetitionConfig()
        self.sources = tuple(sources) if sources is not None else None
        if name:
            self.name = name
        # Per-language configs (the fineweb2 profile, filters/fineweb2.py) with their own skipped
        # rules; every other language uses cfg and skip_rules.
        self._params = {None: self._prepare(self.cfg, skip_rules)}
        self._by_lang_cfg = dict(by_lang or {})
        self._params.update({lang: self._prepare(c, by_lang_skip) for lang, c in self._by_lang_cfg.items()})
        base = self._params[None]
        self.skip, self.top, self.dup = base
        codes: list[str] = []
        for skip, top, dup in self._params.values():
            rules = (
                "gopher_dup_para_frac",
                "gopher_dup_para_char_frac",
                "gopher_dup_line_frac",
                "gopher_dup_line_char_frac",
                *(f"gopher_top_{n}_gram" for n, _ in top),
                *(f"gopher_dup_{n}_gram" for n, _ in dup),
            )
            codes += [r for r in rules if r not in skip and r not in codes]
        self.rules = tuple(codes)

    @staticmethod
    def _prepare(cfg: GopherRepetitionConfig, skip_rules) -> tuple[frozenset, list, list]:
        top = [(int(n), float(f)) for n, f in cfg.top_n_grams]
        dup = sorted((int(n), float(f)) for n, f in cfg.dup_n_grams)  # the early exit needs n rising
        return frozenset(skip_rules), top, dup

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        text = doc.text
        n_chars = len(text)
        if not text.strip():
            return doc, Verdict.ok()
        lang = doc_lang(doc.metadata)
        cfg = self.cfg
        skip, top_grams, dup_grams = self._params[None]
        if lang is not None and lang in self._by_lang_cfg:
            cfg = self._by_lang_cfg[lang]
            skip, top_grams, dup_grams = self._params[lang]
        sp = split(text)
        values: dict = {}

        paras = sp.paragraphs
        dup_n, dup_chars = duplicates(paras)
        values["dup_para_frac"] = round(dup_n / len(paras), 4)
        if dup_n / len(paras) > cfg.dup_para_frac and "gopher_dup_para_frac" not in skip:
            return doc, Verdict.drop("gopher_dup_para_frac", **values)
        values["dup_para_char_frac"] = round(dup_chars / n_chars, 4)
        if dup_chars / n_chars > cfg.dup_para_char_frac and "gopher_dup_para_char_frac" not in skip:
            return doc, Verdict.drop("gopher_dup_para_char_frac", **values)

        lines = sp.line_runs
        dup_n, dup_chars = duplicates(lines)
        values["dup_line_frac"] = round(dup_n / len(lines), 4)
        if dup_n / len(lines) > cfg.dup_line_frac and "gopher_dup_line_frac" not in skip:
            return doc, Verdict.drop("gopher_dup_line_frac", **values)
        values["dup_line_char_frac"] = round(dup_chars / n_chars, 4)
        if dup_chars / n_chars > cfg.dup_line_char_frac and "gopher_dup_line_char_frac" not in skip:
            return doc, Verdict.drop("gopher_dup_line_char_frac", **values)

        words = sp.words
        # One character is one word in scripts without spaces (filters/text.py); a word there
        # is about two characters, so n-grams are scaled to cover the same stretch of text.
        scale = cfg.no_space_ngram_scale if lang in NO_SPACE_LANGS else 1
        if len(words) < 2:
            return doc, Verdict.ok(**values)
        vocab: dict[str, int] = {}
        ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in words), dtype=np.uint64, count=len(words))
        ids *= _MUL
        ids += np.uint64(1)
        # Character offsets of the words; int32 while they fit (half the memory of int64).
        offset = np.int32 if n_chars < 2**31 else np.int64
        cum = np.zeros(len(words) + 1, dtype=offset)
        np.cumsum(np.fromiter(map(len, words), dtype=offset, count=len(words)), out=cum[1:])
        # Only the latest level is kept (the sizes asked for only grow): ten levels of a 10M-word
        # book would be 800 MB.
        level = [1, ids]

        def grams(n: int) -> np.ndarray:
            # h_n[i] = h_{n-1}[i] * ROLL + ids[i + n - 1]; uint64 arithmetic wraps, as intended.
            if n < level[0]:  # a config listing sizes out of order: roll again from words
                level[:] = [1, ids]
            for k in range(level[0] + 1, n + 1):
                prev = level[1]
                if k == 2:  # the word ids stay: the first level is a new array
                    nxt = np.multiply(prev[:-1], _ROLL)
                else:  # element i needs only element i of the level before: roll in place
                    nxt = prev[:-1]
                    nxt *= _ROLL
                nxt += ids[k - 1:]
                level[:] = [k, nxt]
                del prev, nxt
            return level[1]

        for n, frac in top_grams:
            k = n * scale
            h = grams(k)
            if len(h) == 0:
                continue
            top, i = _top_gram(h)
            ratio = 0.0
            if top > 1:  # ties: the n-gram seen first, like Counter.most_common
                ratio = top * (int(cum[i + k] - cum[i]) + k - 1) / n_chars
            values[f"top_{n}_gram"] = round(float(ratio), 4)
            if ratio > frac:
                return doc, Verdict.drop(f"gopher_top_{n}_gram", **values)

        repeats = True  # no repeated n-gram means no repeated longer n-gram either
        for n, frac in dup_grams:
            rep = 0
            k = n * scale
            h = grams(k) if repeats else None
            if h is not None and len(h):
                gid, n_groups, repeats = _repeated(h)
                if repeats:
                    rep = _greedy_duplicated_chars(gid, cum, k, n_groups)
                del gid
            values[f"dup_{n}_gram"] = round(rep / n_chars, 4)
            if rep / n_chars > frac:
                return doc, Verdict.drop(f"gopher_dup_{n}_gram", **values)
        return doc, Verdict.ok(**values)
