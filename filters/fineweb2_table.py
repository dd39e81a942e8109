"""Regenerate filters/fineweb2.json, the fineweb2 profile's thresholds, from FineWeb-2's configs.

    python -m filters.fineweb2_table [../shared/data/fineweb2-configs] [filters/fineweb2.json]

FineWeb-2 (huggingface/fineweb-2, Apache-2.0) publishes one YAML file of filter thresholds and
stop words per GlotLID label (``deu_Latn``). curate identifies languages with lid.176, whose labels
are ISO 639-1 codes where one exists (``de``) and otherwise ISO 639-3 or Wikipedia codes (``arz``,
``als``). Each lid.176 label is mapped to one GlotLID label:
1. the ISO 639-3 code of the label (``LID_TO_ISO3``); for a macrolanguage, the individual
   language that FineWeb-2 holds the most words of is named there instead (``ar`` -> ``arb``,
   ``zh`` -> ``cmn``) unless FineWeb-2 has a config under the macrolanguage's own code (``fas``,
   ``nah``); Tagalog is FineWeb-2's ``fil`` and Serbo-Croatian (no ``hbs`` config) its ``hrv``;
2. of that code's scripts, the one with the most words in FineWeb-2's language table
   (``srp_Cyrl`` over ``srp_Latn``, ``uzn_Latn`` over ``uzn_Cyrl``).
English is left out (it keeps the published Gopher, C4 and FineWeb values), and so is a label
with no FineWeb-2 config; the script prints both. Only the numbers the profile uses and the stop
words are written, sorted, so the output is byte-stable.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import yaml

# lid.176's 176 labels -> ISO 639-3 (the individual language chosen for a macrolanguage).
LID_TO_ISO3 = {
    "af": "afr", "als": "gsw", "am": "amh", "an": "arg", "ar": "arb", "arz": "arz", "as": "asm", "ast": "ast",
    "av": "ava", "az": "azj", "azb": "azb", "ba": "bak", "bar": "bar", "bcl": "bcl", "be": "bel", "bg": "bul",
    "bh": "bho", "bn": "ben", "bo": "bod", "bpy": "bpy", "br": "bre", "bs": "bos", "bxr": "bxr", "ca": "cat",
    "cbk": "cbk", "ce": "che", "ceb": "ceb", "ckb": "ckb", "co": "cos", "cs": "ces", "cv": "chv", "cy": "cym",
    "da": "dan", "de": "deu", "diq": "diq", "dsb": "dsb", "dty": "dty", "dv": "div", "el": "ell", "eml": "eml",
    "en": "eng", "eo": "epo", "es": "spa", "et": "ekk", "eu": "eus", "fa": "fas", "fi": "fin", "fr": "fra",
    "frr": "frr", "fy": "fry", "ga": "gle", "gd": "gla", "gl": "glg", "gn": "gug", "gom": "gom", "gu": "guj",
    "gv": "glv", "he": "heb", "hi": "hin", "hif": "hif", "hr": "hrv", "hsb": "hsb", "ht": "hat", "hu": "hun",
    "hy": "hye", "ia": "ina", "id": "ind", "ie": "ile", "ilo": "ilo", "io": "ido", "is": "isl", "it": "ita",
    "ja": "jpn", "jbo": "jbo", "jv": "jav", "ka": "kat", "kk": "kaz", "km": "khm", "kn": "kan", "ko": "kor",
    "krc": "krc", "ku": "kmr", "kv": "kpv", "kw": "cor", "ky": "kir", "la": "lat", "lb": "ltz", "lez": "lez",
    "li": "lim", "lmo": "lmo", "lo": "lao", "lrc": "lrc", "lt": "lit", "lv": "lvs", "mai": "mai", "mg": "plt",
    "mhr": "mhr", "min": "min", "mk": "mkd", "ml": "mal", "mn": "khk", "mr": "mar", "mrj": "mrj", "ms": "zsm",
    "mt": "mlt", "mwl": "mwl", "my": "mya", "myv": "myv", "mzn": "mzn", "nah": "nah", "nap": "nap", "nds": "nds",
    "ne": "npi", "new": "new", "nl": "nld", "nn": "nno", "no": "nob", "oc": "oci", "or": "ory", "os": "oss",
    "pa": "pan", "pam": "pam", "pfl": "pfl", "pl": "pol", "pms": "pms", "pnb": "pnb", "ps": "pbt", "pt": "por",
    "qu": "quy", "rm": "roh", "ro": "ron", "ru": "rus", "rue": "rue", "sa": "san", "sah": "sah", "sc": "srd",
    "scn": "scn", "sco": "sco", "sd": "snd", "sh": "hrv", "si": "sin", "sk": "slk", "sl": "slv", "so": "som",
    "sq": "als", "sr": "srp", "su": "sun", "sv": "swe", "sw": "swh", "ta": "tam", "te": "tel", "tg": "tgk",
    "th": "tha", "tk": "tuk", "tl": "fil", "tr": "tur", "tt": "tat", "tyv": "tyv", "ug": "uig", "uk": "ukr",
    "ur": "urd", "uz": "uzn", "vec": "vec", "vep": "vep", "vi": "vie", "vls": "vls", "vo": "vol", "wa": "wln",
    "war": "war", "wuu": "wuu", "xal": "xal", "xmf": "xmf", "yi": "ydd", "yo": "yor", "yue": "yue", "zh": "cmn",
}
# The keys of a FineWeb-2 config the profile uses (README of the configs: how FineWeb-2 applied them).
KEYS = ("dup_line_frac", "dup_n_grams", "language_score", "line_punct_thr", "max_avg_word_length",
        "max_non_alpha_words_ratio", "min_avg_word_length", "new_line_ratio", "stopwords", "top_n_grams")


def _words(csv_path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    with open(csv_path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["split"] == "train" and not row["subset"].endswith("_removed") and row["words"].isdigit():
                out[row["subset"]] = int(row["words"])
    return out


def build(configs_dir: Path) -> tuple[dict, list[str]]:
    words = _words(configs_dir / "fineweb2-language-distribution.csv")
    labels = sorted(p.stem for p in (configs_dir / "configs").glob("*.yml"))
    by_iso3: dict[str, list[str]] = {}
    for lb in labels:
        by_iso3.setdefault(lb.split("_")[0], []).append(lb)
    table, missing = {}, []
    for lid, iso3 in sorted(LID_TO_ISO3.items()):
        if lid == "en":
            continue
        cands = by_iso3.get(iso3)
        if not cands:
            missing.append(f"{lid} ({iso3})")
            continue
        label = max(cands, key=lambda lb: (words.get(lb, 0), lb))
        raw = yaml.safe_load((configs_dir / "configs" / f"{label}.yml").read_text(encoding="utf-8"))
        entry = {k: raw[k] for k in KEYS if k in raw}
        entry["stopwords"] = sorted(set(entry.get("stopwords") or []))
        table[lid] = {"label": label, **entry}
    doc = {
        "about": "FineWeb-2's per-language filter thresholds (huggingface/fineweb-2, Apache-2.0), keyed by lid.176 label; "
                 "made by filters/fineweb2_table.py from its configs/{iso3}_{Script}.yml (docs/filters.md)",
        "licence": "Apache-2.0",
        "languages": table,
    }
    return doc, missing


def main(argv: list[str]) -> int:
    src = Path(argv[1] if len(argv) > 1 else "../shared/data/fineweb2-configs")
    dst = Path(argv[2] if len(argv) > 2 else "filters/fineweb2.json")
    if not (src / "configs").is_dir():
        print(f"no FineWeb-2 configs under {src}: pass the folder that holds configs/", file=sys.stderr)
        return 2
    doc, missing = build(src)
    dst.write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(doc['languages'])} languages to {dst}; no FineWeb-2 config for: {', '.join(missing) or 'none'}")
    print("next: run tests/test_fineweb2.py, which checks the packaged table against this script's output")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
