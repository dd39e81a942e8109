"""Word splitting against spaCy 3.8's tokenizer (what datatrove's Gopher figures assume), on real text.

    python bench/words_agreement.py [--data ../shared/data] [--chars 20000]

Texts: the 10 Project Gutenberg books (``--chars`` characters from the middle of each) and the
annotated article text of every page of the three extraction sets. spaCy runs as
``spacy.blank(lang)`` (tokenizer rules only, no model) for the text's language as lid.176 names
it (English rules where spaCy has none or needs a segmenter package; pages in scripts without
spaces are a group of their own: spaCy's rules there are not what our one-character words are).
For each group: token-multiset F1 between
filters/text.tokenize and spaCy (white-space tokens dropped), the mean relative difference in word
count (tokens that are not punctuation, what gopher_short_doc counts) and in the alpha-word ratio
(gopher_alpha_words), the worst ratio difference, and tokens per second of each splitter.
spaCy is a bench dependency only (the `[bench]` extra: pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curation import fasttext_model  # noqa: E402
from curation.langs import NO_SPACE_LANGS  # noqa: E402
from filters.text import is_content_word, tokenize  # noqa: E402

SETS = ("extraction", "extraction-readability", "extraction-newspaper")
_ALPHA = re.compile(r"[^\W\d_]")


def texts(data: Path, chars: int) -> list[tuple[str, str]]:
    out = []
    for book in sorted((data / "books").iterdir()):
        files = sorted(p for p in book.glob("*.txt") if p.stat().st_size > 10_000)
        if files:
            t = files[0].read_text(encoding="utf-8", errors="replace")
            mid = len(t) // 2
            out.append(("books", t[max(0, mid - chars // 2): mid + chars // 2]))
    for name in SETS:
        truth = json.loads((data / name / "ground-truth.json").read_text(encoding="utf-8"))
        out += [(name, truth[k]["articleBody"]) for k in sorted(truth) if (truth[k].get("articleBody") or "").strip()]
    return out


def alpha_ratio(tokens: list[str]) -> float:
    return sum(1 for w in tokens if w.isalpha() or (not w.isdigit() and _ALPHA.search(w))) / len(tokens) if tokens else 0.0


def main() -> int:
    import spacy

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--chars", type=int, default=20_000)
    a = ap.parse_args()
    lid = fasttext_model.load_lid176()
    nlps: dict[str, object] = {}
    groups: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    t_ours = t_spacy = 0.0
    n_tokens = 0
    for group, text in texts(Path(a.data), a.chars):
        lang = lid.predict(text[:2000], 1)[0][0]
        if lang in NO_SPACE_LANGS:
            group = "no-space scripts (all sets)"
        if lang not in nlps:
            try:
                nlps[lang] = spacy.blank(lang)
            except Exception:  # no spaCy rules for this language: English rules, as datatrove falls back
                nlps[lang] = nlps.get("en") or spacy.blank("en")
        nlp = nlps[lang]
        nlp.max_length = max(nlp.max_length, len(text) + 1)
        t0 = time.perf_counter()
        ours = tokenize(text)
        t1 = time.perf_counter()
        theirs = [t.text for t in nlp.tokenizer(text) if not t.is_space]
        t2 = time.perf_counter()
        t_ours, t_spacy, n_tokens = t_ours + t1 - t0, t_spacy + t2 - t1, n_tokens + len(theirs)
        a_c, b_c = Counter(ours), Counter(theirs)
        overlap = sum((a_c & b_c).values())
        f1 = 2 * overlap / (len(ours) + len(theirs)) if ours or theirs else 1.0
        wa, wb = sum(map(is_content_word, ours)), sum(map(is_content_word, theirs))
        groups[group].append((f1, abs(wa - wb) / max(wb, 1), abs(alpha_ratio(ours) - alpha_ratio(theirs))))
    print("| texts | n | token F1 vs spaCy (mean) | word-count difference (median / mean) | alpha-ratio difference (mean / max) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for g in ("books", *SETS, "no-space scripts (all sets)"):
        v = groups[g]
        if v:
            diffs = sorted(x[1] for x in v)
            print(f"| {g} | {len(v)} | {sum(x[0] for x in v) / len(v):.4f} | {diffs[len(diffs) // 2]:.2%} / {sum(diffs) / len(v):.2%} | "
                  f"{sum(x[2] for x in v) / len(v):.4f} / {max(x[2] for x in v):.4f} |")
    print(f"\nspeed: ours {n_tokens / t_ours / 1e3:.0f}k tokens/s, spaCy tokenizer {n_tokens / t_spacy / 1e3:.0f}k tokens/s "
          f"({t_spacy / t_ours:.1f}x ours)")
    print("next: copy the table into docs/filters.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
