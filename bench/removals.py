"""Good pages the default filters remove: the three annotated extraction sets, per language and set.

    python bench/removals.py [--data ../shared/data] [--baseline REV] [--web]

Every page of ``extraction/`` (scrapinghub news), ``extraction-readability/`` (Mozilla
Readability's test pages) and ``extraction-newspaper/`` (newspaper3k's tests) is a page a person
marked main content on. Each is extracted once with curate's current extractor
(curation.extract.HtmlExtractor, ExtractConfig defaults), then run through the langid and quality
stages with the default config (curation.api.filter_documents), by this checkout and by a
baseline revision of the project (default: the commit before the issue-19 filter work), in a
subprocess that imports that revision's code from a temporary copy. Pages whose annotated text
has fewer than 50 words cannot pass any published word-count rule, and pages annotated with
lorem ipsum placeholder text (Readability's test suite) should be removed: both are left out.
Prints the share removed per set and per language (languages with at least 10 pages), the rules
that removed them, and the share of kept text the rules cut; ``--web`` also lists what the rules
remove from ../shared/data/web (curate extract, then curate filter, through the CLI).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# bench/filters.py would shadow the project's filters package: drop the script's folder.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
SETS = ("extraction", "extraction-readability", "extraction-newspaper")
BASELINE = "eaaa7c5"
MIN_GOLD_WORDS = 50
MIN_LANG_PAGES = 10


def extract_pages(data: Path, out: Path) -> None:
    sys.path.insert(0, str(REPO))
    from curation.config import ExtractConfig
    from curation.extract import HtmlExtractor
    from curation.readers.warc import decode_html

    ex = HtmlExtractor(ExtractConfig())
    ex.setup()
    with open(out, "w", encoding="utf-8") as fh:
        for name in SETS:
            truth = json.loads((data / name / "ground-truth.json").read_text(encoding="utf-8"))
            for key in sorted(truth):
                raw = gzip.decompress((data / name / "html" / f"{key}.html.gz").read_bytes())
                html, _, _ = decode_html(raw, "")
                url = truth[key].get("url")
                res = ex.extract(html, url if url and url != "None" else None)
                gold = truth[key].get("articleBody") or ""
                fh.write(json.dumps({"set": name, "id": f"{name}/{key}", "text": res.text, "extract": res.reason,
                                     "gold_words": len(gold.split()), "placeholder": "lorem ipsum" in gold.lower()},
                                    ensure_ascii=False) + "\n")


def judge(pages_path: Path, out_path: Path) -> None:
    """Runs inside the checkout to measure (PYTHONPATH): one verdict line per page."""
    from curation import api
    from curation.document import Document

    pages = [json.loads(ln) for ln in pages_path.read_text(encoding="utf-8").splitlines()]
    docs = [Document(p["id"], p["text"], "web", {}) for p in pages if p["text"]]
    t0, c0 = time.perf_counter(), time.process_time()
    res = api.filter_documents(docs, api.load_config())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = {d.id: {"kept": True, "lang": d.metadata.get("lang"), "chars_out": len(d.text)} for d in res.kept}
    rows.update({d.id: {"kept": False, "lang": d.metadata.get("lang"), "reason": d.metadata.get("reason")} for d in res.rejected})
    q = res.stats["stages"].get("quality", {})
    out_path.write_text(json.dumps({"rows": rows, "wall_s": wall, "cpu_s": cpu, "kept_text_cut": q.get("kept_text_cut", {})},
                                   sort_keys=True), encoding="utf-8")


def run_judge(code_root: Path, pages: Path, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code_root))
    subprocess.run([sys.executable, str(REPO / "bench" / "removals.py"), "--judge", str(pages), str(out)], env=env, check=True,
                   cwd=str(code_root))
    return json.loads(out.read_text(encoding="utf-8"))


def baseline_copy(rev: str, where: Path) -> Path:
    archive = where / "base.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), rev], check=True)
    root = where / "base"
    root.mkdir()
    with tarfile.open(archive) as tf:
        tf.extractall(root, filter="data")
    # Both revisions read the same pages: the baseline's own bench script is not used.
    (root / "bench").mkdir(exist_ok=True)
    (root / "bench" / "removals.py").write_text((REPO / "bench" / "removals.py").read_text())
    return root


def counted(page: dict) -> bool:
    """Pages the tables count: enough annotated words, and real text (Readability's test suite
    has pages whose article is lorem ipsum placeholder text, which C4 rightly removes)."""
    return page["gold_words"] >= MIN_GOLD_WORDS and not page.get("placeholder")


def table(pages: list[dict], result: dict, label: str) -> list[str]:
    rows = result["rows"]
    lines = [f"## {label} (langid + quality: {result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU)"]
    groups: dict[str, list[bool]] = defaultdict(list)
    reasons: Counter = Counter()
    for p in pages:
        if not counted(p):
            continue
        r = rows.get(p["id"], {"kept": False, "lang": None, "reason": p["extract"] or "extract/empty"})
        removed = not r["kept"]
        groups[f"set {p['set']}"].append(removed)
        groups[f"lang {r.get('lang') or 'none'}"].append(removed)
        if (r.get("lang") or "none") != "en":
            groups["lang not en (all)"].append(removed)
        groups["all"].append(removed)
        if removed:
            reasons[r.get("reason") or "?"] += 1
    lines.append("| group | pages | removed | share |")
    lines.append("| --- | ---: | ---: | ---: |")
    for g in sorted(groups, key=lambda g: (g != "all", not g.startswith("set"), -len(groups[g]), g)):
        v = groups[g]
        if g.startswith("lang") and len(v) < MIN_LANG_PAGES:
            continue
        lines.append(f"| {g} | {len(v)} | {sum(v)} | {sum(v) / len(v):.1%} |")
    small = sorted({(rows.get(p['id'], {}).get('lang') or 'none') for p in pages if counted(p)}
                   - {g[5:] for g in groups if g.startswith('lang') and len(groups[g]) >= MIN_LANG_PAGES})
    lines.append(f"(languages with fewer than {MIN_LANG_PAGES} pages, counted in 'all': {', '.join(small) or 'none'})")
    lines.append("removed by: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
    cut = {k: v for k, v in result.get("kept_text_cut", {}).items() if "/" not in k}
    if cut:
        lines.append("share of kept text cut: " + ", ".join(f"{k} {v:.1%}" for k, v in sorted(cut.items())))
    return lines


def _filter_web(code_root: Path, docs: Path, out: Path) -> dict[str, tuple[str, str, str]]:
    """``curate filter`` by the checkout at ``code_root``: {url: (reason or "kept", lang, first words)}."""
    import pyarrow.parquet as pq

    env = dict(os.environ, PYTHONPATH=str(code_root))
    subprocess.run([sys.executable, "-m", "curation.cli", "filter", "--input", str(docs), "--output", str(out)], env=env,
                   check=True, cwd=str(code_root), capture_output=True)
    rows = {}
    for folder, kept in (("rejected", False), ("documents", True)):
        for part in sorted((out / folder).glob("*.parquet")):
            for r in pq.read_table(part).to_pylist():
                meta = json.loads(r["metadata"] or "{}")
                words = " ".join((r["text"] or "").split()[:10]).replace("|", "/")[:70]
                rows[meta.get("url", r["id"])[:70] + " #" + r["id"][-6:]] = ("kept" if kept else r["reason"], meta.get("lang", ""), words)
    return rows


def web_removals(data: Path, work: Path, base_root: Path, base_rev: str) -> list[str]:
    ext = work / "web-extract"
    subprocess.run([sys.executable, "-m", "curation.cli", "extract", "--web", str(data / "web"), "--output", str(ext)],
                   env=dict(os.environ, PYTHONPATH=str(REPO)), check=True, cwd=str(REPO), capture_output=True)
    now = _filter_web(REPO, ext / "documents", work / "web-now")
    base = _filter_web(base_root, ext / "documents", work / "web-base")
    out = ["## What the rules remove from ../shared/data/web (this checkout)", "| url | reason | lang | first words |",
           "| --- | --- | --- | --- |"]
    removed = sorted(((u, *v) for u, v in now.items() if v[0] != "kept"), key=lambda t: (t[1], t[0]))
    out += [f"| {u} | {why} | {lang} | {w} |" for u, why, lang, w in removed]
    out.append(f"kept {sum(v[0] == 'kept' for v in now.values())} of {len(now)} extracted pages "
               f"(baseline {base_rev}: {sum(v[0] == 'kept' for v in base.values())})")
    changed = sorted(u for u in now if (now[u][0] == "kept") != (base.get(u, ("?",))[0] == "kept"))
    out += ["", f"## Pages decided differently from {base_rev}", "| url | now | baseline | lang | first words |",
            "| --- | --- | --- | --- | --- |"]
    out += [f"| {u} | {now[u][0]} | {base.get(u, ('?',))[0]} | {now[u][1]} | {now[u][2]} |" for u in changed]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--baseline", default=BASELINE, help="git revision to compare with (default: %(default)s)")
    ap.add_argument("--web", action="store_true", help="also list what the rules remove from DATA/web")
    ap.add_argument("--pages", help="JSONL of extracted pages to reuse (written there on the first run)")
    ap.add_argument("--judge", nargs=2, metavar=("PAGES", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.judge:
        judge(Path(a.judge[0]), Path(a.judge[1]))
        return 0
    data = Path(a.data)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pages_path = Path(a.pages) if a.pages else work / "pages.jsonl"
        if not pages_path.is_file():
            print(f"extracting {', '.join(SETS)} ...", file=sys.stderr)
            extract_pages(data, pages_path)
        pages = [json.loads(ln) for ln in pages_path.read_text(encoding="utf-8").splitlines()]
        n = len(pages)
        print(f"{n} pages extracted; judging with this checkout and with {a.baseline} ...", file=sys.stderr)
        now = run_judge(REPO, pages_path, work / "now.json")
        base_root = baseline_copy(a.baseline, work)
        base = run_judge(base_root, pages_path, work / "base.json")
        lines = [f"{n} annotated pages, {sum(map(counted, pages))} with at least {MIN_GOLD_WORDS} annotated words of real text "
                 f"(the tables count those; {sum(bool(p.get('placeholder')) for p in pages)} pages annotated with lorem ipsum "
                 "placeholder text are left out)"]
        lines += table(pages, now, "this checkout") + [""] + table(pages, base, f"baseline {a.baseline}")
        if a.web:
            lines += [""] + web_removals(data, work, base_root, a.baseline)
    print("\n".join(lines))
    print("\nnext: copy the tables into docs/benchmarks.md; rerun after changing a rule", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
