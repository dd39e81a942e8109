"""A small but real build-shards output folder, made without Beam, for report and explain tests.

Real text (paragraphs of Project Gutenberg books from ../shared/data/books and standard-library
modules) goes through the same decisions the pipeline makes, in plain Python: empty paragraphs
are read failures, a language outside the allowlist and short paragraphs are removed, copied
paragraphs are exact duplicates; the survivors are tokenized with a sentencepiece model trained
by curation/tokenizer.py and written with curation/shards.py, and stats.json comes from
curation/stats.py. The layout is the one in docs/contracts.md ("Output folder of build-shards").
"""

from __future__ import annotations

import gzip
import json
import sysconfig
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curation import shards, stats
from curation.config import TokenizerConfig
from curation.document import Document, content_hash, id_hash64, parquet_schema, rejected_schema
from curation.tokenizer import Tokenizer, train_sentencepiece

BOOKS = {"pg11": "en", "pg22367": "de", "pg31894": "la", "pg4650": "fr"}
ALLOW = {"en", "de", "fr"}
MIN_WORDS = 30
CHAIN = ["read", "extract", "langid", "quality", "dedup", "pii", "tokenize"]
CODE_MODULES = ["textwrap.py", "shlex.py", "fnmatch.py", "colorsys.py", "bisect.py"]


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _documents(books_dir: Path) -> list[tuple[Document, str | None]]:
    """(document, read-failure reason or None) for paragraphs and code modules, input order."""
    out = []
    for book, lang in BOOKS.items():
        txt = next((books_dir / book).glob("*.txt"))
        text = _read_text(txt).replace("\r\n", "\n")
        offset = 0
        for i, para in enumerate(text.split("\n\n")[:400]):
            rel = f"{book}/{txt.name}"
            meta = {"source_file": rel, "record_offset": offset, "content_type": "text/plain", "charset": "utf-8"}
            offset += len(para.encode("utf-8")) + 2
            doc = Document(f"{rel}#{i}-{content_hash(para, 8)}", para, "books", meta)
            out.append((doc, "read/empty" if not para.strip() else None))
    # Raw HTML pages that "extraction" rejects: markup and scripts must reach the report escaped.
    html_dir = books_dir.parent / "extraction" / "html"
    for page in sorted(html_dir.glob("*.html.gz"))[:3]:
        raw = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        meta = {"source_file": f"extraction/html/{page.name}", "record_offset": 0,
                "url": f"https://example.org/{page.name[:12]}", "content_type": "text/html"}
        out.append((Document(f"web-{content_hash(raw)}", raw, "web", meta), "extract/no_main_content"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in CODE_MODULES:
        src = (stdlib / name).read_text(encoding="utf-8")
        out.append((Document(f"{name}-{content_hash(src, 8)}", src, "code", {"source_file": name, "language": "python"}), None))
    return out


def build(books_dir: Path, out: Path) -> Path:
    """Write the output folder ``out`` and return it."""
    counts: list = []

    def count(stage, doc, kind, reason=""):
        counts.append((stats.key(stage, doc.source, kind, reason), 1))

    rejected: list[dict] = []

    def reject(doc, stage, rule, reason, kind="removed"):
        count(stage, doc, kind, reason)
        row = doc.with_metadata(stage=stage, rule=rule, reason=reason).to_row()
        rejected.append({**row, "stage": stage, "rule": rule, "reason": reason})

    docs = []
    for doc, failure in _documents(books_dir):
        count("read", doc, "in")
        if failure == "read/empty":
            reject(doc, "read", "empty", failure, kind="failed")
            continue
        count("read", doc, "out")
        if failure:
            count("extract", doc, "in")
            reject(doc.with_metadata(extract_v1={"text_chars": 0, "html_bytes": len(doc.text)}), "extract", "extract_v1", failure)
            continue
        docs.append(doc)
    # Copies of a few paragraphs under other ids: one cluster of four, eleven of two.
    originals = [d for d in docs if d.source == "books" and len(d.text.split()) >= MIN_WORDS and d.id.startswith("pg11/")]
    copies = []
    for k, d in enumerate(originals[:12]):
        for c in range(3 if k == 0 else 1):
            copies.append(Document(f"mirror{c}/{d.id}", d.text, d.source, {**d.metadata, "source_file": f"mirror{c}/{d.metadata['source_file']}"}))
    for d in copies:
        count("read", d, "in")
        count("read", d, "out")
    docs += copies

    stage_docs = []
    for d in docs:
        count("extract", d, "in")
        count("extract", d, "out")
        count("langid", d, "in")
        if d.source == "code":
            count("langid", d, "out")
            stage_docs.append(d)
            continue
        lang = BOOKS[d.metadata["source_file"].split("/")[-2]]
        d = d.with_metadata(lang=lang, lang_score=0.93)
        if lang not in ALLOW:
            reject(d.with_metadata(langid_v1={"lang": lang, "lang_score": 0.93, "allowed": sorted(ALLOW)}),
                   "langid", "langid_v1", "langid/not_allowed")
            continue
        count("langid", d, "out")
        stage_docs.append(d)

    kept = []
    for d in stage_docs:
        count("quality", d, "in")
        n_words = len(d.text.split())
        if d.source == "books" and n_words < MIN_WORDS:
            reject(d.with_metadata(gopher_quality_v1={"n_words": n_words, "min_words": MIN_WORDS}),
                   "quality", "gopher_quality_v1", "quality/gopher_short_doc")
            continue
        count("quality", d, "out")
        kept.append(d)

    dup_rows, survivors, first = [], [], {}
    for d in sorted(kept, key=lambda d: (d.id.startswith("mirror"), d.id)):
        count("dedup", d, "in")
        h = content_hash(d.text)
        if h in first:
            dup_rows.append({"doc_id": d.id, "cluster_id": h, "kept_id": first[h], "similarity": 1.0, "kind": "exact"})
            reject(d, "dedup", "exact", "dedup/exact")
            continue
        first[h] = d.id
        count("dedup", d, "out")
        survivors.append(d)
    for d in survivors:
        count("pii", d, "in")
        count("pii", d, "out")

    tok = Tokenizer(train_sentencepiece([d.text for d in survivors], TokenizerConfig(vocab_size=600, num_threads=1)))
    tok.save(out / "tokenizer")
    rows = []
    for d in survivors:
        count("tokenize", d, "in")
        count("tokenize", d, "out")
        ids = tok.encode_document(d.text)
        counts.append((stats.key("tokenize", d.source, "metric", "tokens"), len(ids)))
        rows.append((d.id, d.source, d.metadata.get("lang", ""), "", ids, len(ids)))

    entries = []
    for split in shards.SPLITS:
        part = sorted((r for r in rows if shards.split_of(id_hash64(r[0]), 0.1) == split), key=lambda r: id_hash64(r[0]))
        path = out / shards.shard_path(split, 0)
        path.parent.mkdir(parents=True, exist_ok=True)
        res = shards.write_shard(part, str(path), dtype=tok.dtype, row_group_tokens=20_000)
        entries.append({"path": shards.shard_path(split, 0), "sha256": shards.sha256_file(path), "bytes": path.stat().st_size, "split": split, **res})

    (out / "rejected").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rejected, schema=rejected_schema()), out / "rejected" / "part-00000.parquet")
    dup_schema = pa.schema([("doc_id", pa.string()), ("cluster_id", pa.string()), ("kept_id", pa.string()),
                            ("similarity", pa.float64()), ("kind", pa.string())])
    (out / "duplicates").mkdir()
    pq.write_table(pa.Table.from_pylist(dup_rows, schema=dup_schema), out / "duplicates" / "part-00000.parquet")

    st = stats.assemble(counts, order=CHAIN)
    stats.check(st, CHAIN)
    st["accounting"] = {"ok": True, "problems": []}
    (out / "stats.json").write_text(json.dumps(st, indent=2, sort_keys=True))
    (out / "run.json").write_text(json.dumps({"command": "build-shards", "seconds": 12.5, "runner": "DirectRunner",
                                              "started": "2025-01-01T00:00:00Z"}))
    # The dedup checkpoint (pipelines/checkpoint.py layout): kept documents with full metadata.
    ckpt = out / "stages" / "dedup-fixture"
    (ckpt / "documents").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([d.to_row() for d in survivors], schema=parquet_schema()), ckpt / "documents" / "part-00000.parquet")
    (ckpt / "_SUCCESS.json").write_text("{}")
    manifest = shards.build_manifest({**tok.info()}, entries, {"langid": {"allow": sorted(ALLOW)}, "shards": {"val_fraction": 0.1}})
    (out / "manifest.json").write_text(shards.manifest_json(manifest))
    return out
