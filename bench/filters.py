"""Throughput and agreement of the language + quality chain against datatrove's, same documents,
same run.

    python bench/filters.py [--rounds 2] [--skip-datatrove] [--only book/]

Documents (built once into bench/_work/filter_docs.jsonl): the text trafilatura extracts from
every HTML page in ../shared/data (the 181 news pages of extraction/ and the pages of the web/
WARCs, several languages), the 181 hand-marked article bodies, the UDHR in the languages lid.176
covers, and the 10 Project Gutenberg books cut into ~95 KB pieces (long pages, where Gopher
repetition costs most).

Chains, each in one process on one core, alternated A B A B:
  curate (parity)   LangId(allowlist en, min score 0.65, whole text) + Quality with
                    c4.profile=datatrove, fineweb.char_duplicates_ratio=0.01, gopher_quality.alpha_ratio_tokens,
                    fineweb2 off: datatrove's decisions;
  curate (default)  the shipped defaults (all languages, head of 8000 characters), speed only;
  datatrove 0.10.1  lid.176 via plain fastText + GopherRepetition + GopherQuality + C4 + FineWeb,
                    run by bench/_datatrove_chain.py in bench/.venvs/datatrove (installed on first
                    use: pip install 'datatrove[io,processing]==0.10.1' spacy fasttext-wheel).
Prints docs/s per core, the ratio, ms per document per filter, and keep/drop agreement with every
disagreement (also written to bench/_work/filter_disagreements.jsonl).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
from _peers import datatrove_python  # noqa: E402

from curation import fasttext_model  # noqa: E402
from curation.config import PipelineConfig, from_mapping, to_dict  # noqa: E402
from curation.document import Document  # noqa: E402
from filters import registry  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WORK = ROOT / "bench" / "_work"
DOCS = WORK / "filter_docs.jsonl"


def _extract(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True, deduplicate=False) or ""


def build_docs() -> list[dict]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    rows = []
    truth = json.loads((DATA / "extraction" / "ground-truth.json").read_text())
    for name, gt in sorted(truth.items()):
        page = DATA / "extraction" / "html" / f"{name}.html.gz"
        if page.is_file():
            rows.append({"id": f"news/{name[:16]}", "text": _extract(gzip.decompress(page.read_bytes()).decode("utf-8", "replace"))})
        rows.append({"id": f"article/{name[:16]}", "text": gt.get("articleBody") or ""})
    for warc in sorted((DATA / "web").rglob("*.warc.gz")):
        with open(warc, "rb") as fh:
            try:
                for i, rec in enumerate(ArchiveIterator(fh, record_types=WarcRecordType.response)):
                    ctype = rec.http_headers.get("Content-Type", "") if rec.http_headers else ""
                    if "html" not in ctype:
                        continue
                    body = rec.reader.read()
                    rows.append({"id": f"warc/{warc.stem}/{i}", "text": _extract(body.decode("utf-8", "replace"))})
            except Exception as e:  # a truncated archive in the test data: keep what was read
                print(f"  {warc.name}: stopped at a bad record ({type(e).__name__})")
    sys.path.insert(0, str(ROOT / "bench"))
    from langid_accuracy import load

    for stem, text in load(DATA / "langid" / "udhr2").items():
        rows.append({"id": f"udhr/{stem}", "text": text})
    for book in sorted((DATA / "books").iterdir()):
        for txt in sorted(book.glob("*.txt")):
            raw = txt.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
            text = text.replace("\r\n", "\n")
            for j in range(0, len(text), 95_000):
                rows.append({"id": f"book/{book.name}/{j // 95_000}", "text": text[j : j + 95_000]})
    return [r for r in rows if r["text"].strip()]


def parity_config() -> PipelineConfig:
    d = to_dict(PipelineConfig())
    d["langid"].update(allowlist=["en"], method="whole", min_chars=1, min_score=0.65, sources=["web"], min_score_sources=["web"])
    d["quality"]["c4"]["profile"] = "datatrove"
    d["quality"]["fineweb"]["char_duplicates_ratio"] = 0.01
    d["quality"]["gopher_quality"]["alpha_ratio_tokens"] = True
    d["quality"]["fineweb2"]["enabled"] = False
    return from_mapping(PipelineConfig, d)


def run_curate(rows: list[dict], cfg: PipelineConfig) -> tuple[float, dict, Counter]:
    lid, quality = registry.langid_filters(cfg), registry.quality_filters(cfg)
    for f in lid + quality:
        f.setup()
    decisions, per_filter = {}, Counter()
    # Time each filter the way the wrapper runs it (run_chain is the same loop).
    total = 0.0
    for row in rows:
        doc = Document(row["id"], row["text"], "web")
        reason = ""
        for stage, chain in (("langid", lid), ("quality", quality)):
            for f in chain:
                if not f.applies_to(doc):
                    continue
                t0 = time.perf_counter()
                doc, verdict = f.apply(doc)
                dt = time.perf_counter() - t0
                total += dt
                per_filter[f.name] += dt
                if not verdict.keep:
                    reason = f"{stage}/{verdict.rule}"
                    break
            if reason:
                break
        decisions[row["id"]] = reason
    return total, decisions, per_filter


def run_datatrove(rounds: int, docs: Path = DOCS) -> dict:
    py = datatrove_python()
    out = WORK / "datatrove_decisions.json"
    subprocess.run([str(py), str(ROOT / "bench" / "_datatrove_chain.py"), str(docs), str(out), str(fasttext_model.lid176_path()),
                    "--rounds", str(rounds)], check=True)
    return json.loads(out.read_text())


def explain(row: dict, ours: str, theirs: str) -> str:
    return f"{row['id']:<28} curate={ours or 'keep':<40} datatrove={theirs or 'keep'}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--only", default="", help="documents whose id starts with this (book/: the ~95 KB pieces)")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if not DOCS.exists():
        print("building the document set (trafilatura on every HTML page; once)...")
        with open(DOCS, "w", encoding="utf-8") as fh:
            for r in build_docs():
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    rows = [json.loads(line) for line in open(DOCS, encoding="utf-8")]
    docs_path = DOCS
    if args.only:
        rows = [r for r in rows if r["id"].startswith(args.only)]
        docs_path = WORK / "filter_docs_subset.jsonl"
        with open(docs_path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    mb = sum(len(r["text"].encode()) for r in rows) / 1e6
    print(f"{len(rows)} documents, {mb:.1f} MB of text ({1000 * mb / len(rows):.1f} KB mean)")

    parity, default = parity_config(), PipelineConfig()
    ours_s, default_s, theirs_s = [], [], []
    dt = None
    for r in range(args.rounds):
        t, decisions, per_filter = run_curate(rows, parity)
        ours_s.append(t)
        t2, _, per_filter_default = run_curate(rows, default)
        default_s.append(t2)
        if not args.skip_datatrove:
            res = run_datatrove(1, docs_path)
            theirs_s.append(res["seconds"][0])
            dt = dt or res
    n = len(rows)
    best = lambda xs: min(xs)  # noqa: E731  least-disturbed round on a shared machine
    print(f"\nthroughput, one core (best of {args.rounds} alternated rounds):")
    print(f"  curate parity   {n / best(ours_s):8.1f} docs/s   ({1000 * best(ours_s) / n:.2f} ms/doc)")
    print(f"  curate default  {n / best(default_s):8.1f} docs/s   ({1000 * best(default_s) / n:.2f} ms/doc)")
    if dt:
        print(f"  datatrove       {n / best(theirs_s):8.1f} docs/s   ({1000 * best(theirs_s) / n:.2f} ms/doc)")
        print(f"  ratio curate parity / datatrove: {best(theirs_s) / best(ours_s):.2f}x")
    print("\nms per document by filter (first round; a filter sees only what the previous kept):")
    for name, s in per_filter.items():
        print(f"  curate     {name:<28} {1000 * s / n:7.2f}")
    if dt:
        for name, s in dt["per_filter_s"].items():
            print(f"  datatrove  {name:<28} {1000 * s / n:7.2f}")
        theirs = dt["decisions"]
        agree = sum((decisions[r["id"]] == "") == (theirs[r["id"]] == "") for r in rows)
        print(f"\nkeep/drop agreement: {agree}/{n} = {100 * agree / n:.2f}%")
        kept_o = sum(1 for v in decisions.values() if not v)
        kept_t = sum(1 for v in theirs.values() if not v)
        print(f"  kept: curate {kept_o}, datatrove {kept_t}")
        dis = [(r, decisions[r["id"]], theirs[r["id"]]) for r in rows if (decisions[r["id"]] == "") != (theirs[r["id"]] == "")]
        with open(WORK / "filter_disagreements.jsonl", "w", encoding="utf-8") as fh:
            for r, o, t in dis:
                fh.write(json.dumps({"id": r["id"], "curate": o, "datatrove": t, "text": r["text"][:2000]}, ensure_ascii=False) + "\n")
        for r, o, t in dis:
            print("  " + explain(r, o, t))
        same_reason = Counter((decisions[r["id"]].split("/")[-1], theirs[r["id"]]) for r in rows if decisions[r["id"]] and theirs[r["id"]])
        print("\ndrop reasons (curate rule, datatrove filter/reason) where both drop:")
        for (o, t), c in same_reason.most_common(12):
            print(f"  {c:4d}  {o:<28} {t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
