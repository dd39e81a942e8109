"""Language-ID accuracy of fastText lid.176 on the UDHR in the languages it covers.

    python bench/langid_accuracy.py [--data ../shared/data/langid/udhr2] [--snippets 20]

Prints, per language and overall, the accuracy of the three ways filters/langid.py can classify
a document -- ``head`` (first 2000 or 8000 characters), ``whole`` (all of it, newlines folded) and
``paragraph_vote`` (length x probability summed over paragraphs) -- on three kinds of document:
  full    the whole declaration (one per language);
  chunks  consecutive ~3000-character pieces of it (several per language);
  mixed   a web page shape: 1500 characters of English boiler-plate, then the declaration.
Then the accuracy of single snippets by length, and the shortest length from which a prediction
is right at least 90% of the time: below it LangIdConfig.min_chars marks a document "und".
File names are ISO 639-3 codes (+ script/variant); MAP below gives lid.176's code for each one
lid.176 covers (its labels are ISO 639-1 where one exists).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curation.config import LangIdConfig  # noqa: E402
from filters.langid import LangId  # noqa: E402

# udhr2 file stem -> lid.176 label. Only stems whose language lid.176 was trained on.
MAP = {
    "afr": "af", "als": "sq", "amh": "am", "arb": "ar", "ast": "ast", "azj_latn": "az", "bcl": "bcl", "bel": "be",
    "ben": "bn", "bod": "bo", "bos_latn": "bs", "bre": "br", "bul": "bg", "cat": "ca", "ceb": "ceb", "ces": "cs",
    "ckb": "ckb", "cmn_hans": "zh", "cmn_hant": "zh", "cos": "co", "cym": "cy", "dan": "da", "deu": "de",
    "deu_1901": "de", "div": "dv", "ell_monotonic": "el", "eng": "en", "epo": "eo", "est": "et", "eus": "eu",
    "fin": "fi", "fra": "fr", "gla": "gd", "gle": "ga", "glg": "gl", "guj": "gu", "hat_kreyol": "ht", "heb": "he",
    "hin": "hi", "hrv": "hr", "hsb": "hsb", "hun": "hu", "hye": "hy", "ido": "io", "ilo": "ilo", "ina": "ia",
    "ind": "id", "isl": "is", "ita": "it", "jav": "jv", "jpn": "ja", "kan": "kn", "kat": "ka", "kaz": "kk",
    "khk": "mn", "khm": "km", "kir": "ky", "kor": "ko", "lao": "lo", "lat": "la", "lav": "lv", "lit": "lt",
    "ltz": "lb", "mai": "mai", "mal": "ml", "mar": "mr", "min": "min", "mkd": "mk", "mlt": "mt", "mly_latn": "ms",
    "mya": "my", "nds": "nds", "nep": "ne", "nld": "nl", "nno": "nn", "nob": "no", "oss": "os", "pam": "pam",
    "pan": "pa", "pes_1": "fa", "pnb": "pnb", "pol": "pl", "por_BR": "pt", "por_PT": "pt", "quy": "qu",
    "quz": "qu", "roh": "rm", "ron": "ro", "rus": "ru", "sah": "sah", "san": "sa", "sco": "sco", "slk": "sk",
    "slv": "sl", "som": "so", "spa": "es", "srp_cyrl": "sr", "sun": "su", "swe": "sv", "swh": "sw", "tam": "ta",
    "tat": "tt", "tgk": "tg", "tgl": "tl", "tha": "th", "tuk_latn": "tk", "tur": "tr", "tyv": "tyv", "uig_arab": "ug",
    "ukr": "uk", "urd": "ur", "uzn_latn": "uz", "vec": "vec", "vep": "vep", "vie": "vi", "war": "war", "wln": "wa",
    "ydd": "yi", "yor": "yo",
}
METHODS = {"head": ("head", 2000), "head_8k": ("head", 8000), "whole": ("whole", 0), "paragraph_vote": ("paragraph_vote", 0)}
LENGTHS = (5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500)
TRUST = 0.90

# English boiler-plate a crawled page carries above its content (cookie notice, navigation).
BOILERPLATE = (
    "Skip to main content. Home About us Contact Login Register. This website uses cookies to improve your "
    "experience. By continuing to browse the site you are agreeing to our use of cookies. Accept. Read more "
    "about our privacy policy and terms of use. Search this site. Share on Facebook, Twitter, LinkedIn. "
) * 5


def load(data: Path) -> dict[str, str]:
    out = {}
    for stem, code in sorted(MAP.items()):
        p = data / f"{stem}.txt"
        if p.is_file():
            out[stem] = "\n".join(ln.strip() for ln in p.read_text(encoding="utf-8").splitlines())
    return out


def chunks(text: str, size: int = 3000) -> list[str]:
    body = text[len(text.split("\n", 3)[0]):]  # skip the title line
    return [body[i : i + size] for i in range(0, len(body) - size // 2, size)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "langid" / "udhr2"))
    ap.add_argument("--snippets", type=int, default=20, help="snippets per language and length")
    args = ap.parse_args()
    texts = load(Path(args.data))
    filters = {name: LangId(LangIdConfig(method=m, head_chars=h or 2000, min_chars=1)) for name, (m, h) in METHODS.items()}
    for f in filters.values():
        f.setup()

    docs = {"full": {s: [t] for s, t in texts.items()},
            "chunks": {s: chunks(t) for s, t in texts.items()},
            "mixed": {s: [BOILERPLATE + t] for s, t in texts.items()}}
    # results[kind][method][stem] = (right, total); seconds[method] = total time
    results: dict = defaultdict(lambda: defaultdict(dict))
    seconds: dict = defaultdict(float)
    n_docs: dict = defaultdict(int)
    for kind, by_lang in docs.items():
        for m, f in filters.items():
            for stem, ds in by_lang.items():
                t0 = time.perf_counter()
                right = sum(f.identify(d)[0] == MAP[stem] for d in ds)
                seconds[m] += time.perf_counter() - t0
                n_docs[m] += len(ds)
                results[kind][m][stem] = (right, len(ds))

    print(f"lid.176 on UDHR: {len(texts)} files in {len(set(MAP[s] for s in texts))} lid.176 languages\n")
    print("per language (right/total per method, full | chunks | mixed):")
    for stem in texts:
        cells = []
        for kind in docs:
            cells.append(" ".join(f"{results[kind][m][stem][0]}/{results[kind][m][stem][1]}" for m in METHODS))
        flag = "" if all(results[k][m][stem][0] == results[k][m][stem][1] for k in docs for m in METHODS) else "  <-"
        print(f"  {stem:<14} {MAP[stem]:<4} " + " | ".join(cells) + flag)

    print("\noverall accuracy (documents right / documents):")
    print(f"  {'method':<16}" + "".join(f"{k:>18}" for k in docs) + f"{'ms/doc':>10}")
    for m in METHODS:
        row = ""
        for kind in docs:
            r = sum(v[0] for v in results[kind][m].values())
            t = sum(v[1] for v in results[kind][m].values())
            row += f"{r:>7}/{t:<5} {100 * r / t:5.1f}%"
        print(f"  {m:<16}{row}{1000 * seconds[m] / n_docs[m]:>10.2f}")

    # Snippet length is about what a model that knows the language needs: measured on the
    # languages lid.176 gets right on the whole declaration.
    known = [s for s in texts if results["full"]["whole"][s][0]]
    print(f"\nsnippet accuracy by length ({args.snippets} snippets per language, evenly spaced, "
          f"{len(known)} languages lid.176 gets right on the full text):")
    f = filters["whole"]
    trusted = None
    for n in LENGTHS:
        right = total = 0
        for stem in known:
            t = texts[stem]
            body = t[len(t.split("\n", 1)[0]):].replace("\n", " ")
            step = max(1, (len(body) - n) // args.snippets)
            for i in range(args.snippets):
                snip = body[i * step : i * step + n]
                if len(snip.strip()) < n // 2:
                    continue
                total += 1
                right += f.identify(snip)[0] == MAP[stem]
        acc = right / total
        if trusted is None and acc >= TRUST:
            trusted = n
        print(f"  {n:>4} chars  {100 * acc:5.1f}%  ({right}/{total})")
    print(f"\nshortest snippet length with >= {100 * TRUST:.0f}% accuracy: {trusted} characters "
          f"(LangIdConfig.min_chars default: {LangIdConfig().min_chars})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
