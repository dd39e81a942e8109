"""`curate report DIR`: what a build-shards run did, as one self-contained HTML file.

Read from the output folder (docs/contracts.md, "Output folder"): stats.json (documents per
stage and reason), manifest.json (tokens per source), the shards' ``n_tokens`` and ``lang``
columns (the documents that were kept), rejected/ (every removed document with the rule values
that removed it) and duplicates/ (cluster membership). Nothing is fetched: figures are inline
SVG (curation/report_plots.py) and the style sheet is inline.

Token counts of removed documents are measured with the run's own tokenizer (BOS and EOS
included, as ``n_tokens`` in shards): exactly while rejected/ holds at most ``token_budget``
bytes of text, else on a sample of documents chosen by id hash, scaled up and labelled as
an estimate. Documents removed before text extraction (stages read, extract) have no text
length comparable to the rest and count in documents only.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from curation.document import id_hash64
from curation.errors import UserError
from curation.summary import documents_only

EXAMPLES_PER_REASON = 5
EXAMPLE_CHARS = 600
TOKEN_BUDGET = 256 << 20  # bytes of rejected text tokenized exactly before sampling
PRE_TEXT_STAGES = ("read", "extract")  # text not yet comparable: counted in documents only
LINEAGE_KEYS = (
    "source_file", "warc_record_id", "warc_type", "record_offset", "offset", "url", "domain", "crawl_date",
    "http_status", "content_type", "charset", "charset_source", "repo", "path", "size_bytes",
)
REJECT_KEYS = ("stage", "rule", "reason")


@dataclass
class ReportData:
    out_dir: Path
    stats: dict
    manifest: dict | None
    run: dict | None
    removed_tokens: dict[str, float] = field(default_factory=dict)  # stage -> tokens removed there
    sample_fraction: float = 1.0  # share of rejected text that was tokenized
    before_lengths: list = field(default_factory=list)  # removed documents' tokens (text stages)
    after_lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    langs: dict[str, list[int]] = field(default_factory=dict)  # lang -> [kept, removed]
    clusters: dict[str, list[int]] = field(default_factory=dict)  # kind -> cluster sizes
    examples: dict[str, list[dict]] = field(default_factory=dict)  # reason -> examples
    length_unit: str = "tokens"  # "characters" for a documents-only output (--emit documents: no tokenizer)

    @property
    def documents_only(self) -> bool:
        return documents_only(self.manifest) if self.manifest else False


def _json(path: Path, required: bool) -> dict | None:
    if not path.is_file():
        if required:
            raise UserError(f"no {path.name} in {path.parent}: not a curate output folder")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise UserError(f"{path}: not valid JSON ({e})") from None


def _parts(directory: Path) -> list[Path]:
    return sorted(directory.glob("part-*.parquet")) if directory.is_dir() else []


def _tokenizer(out_dir: Path, manifest: dict | None):
    from curation.tokenizer import Tokenizer

    name = ((manifest or {}).get("tokenizer") or {}).get("file", "tokenizer/tokenizer.model")
    path = out_dir / name
    return Tokenizer.from_file(path) if path.is_file() else None


def collect(out_dir: str | Path, token_budget: int = TOKEN_BUDGET) -> ReportData:
    """Everything the report shows, read from ``out_dir``; UserError when it is no output folder."""
    out = Path(out_dir)
    if not out.is_dir():
        raise UserError(f"{out_dir}: no such directory")
    data = ReportData(out, _json(out / "stats.json", True), _json(out / "manifest.json", False), _json(out / "run.json", False))
    if data.documents_only:
        data.length_unit = "characters"
        _read_documents(data)
    _read_shards(data)
    _read_rejected(data, _tokenizer(out, data.manifest), token_budget)
    _read_duplicates(data)
    return data


def _read_shards(data: ReportData) -> None:
    import pyarrow.parquet as pq

    lengths = []
    for entry in (data.manifest or {}).get("shards", []):
        table = pq.read_table(data.out_dir / entry["path"], columns=["n_tokens", "lang"])
        lengths.append(table.column("n_tokens").to_numpy())
        for lang, n in zip(*np.unique(table.column("lang").to_numpy(zero_copy_only=False).astype(str), return_counts=True)):
            data.langs.setdefault(lang or "none", [0, 0])[0] += int(n)
    if lengths:
        data.after_lengths = np.concatenate(lengths).astype(np.int64)


def _read_documents(data: ReportData) -> None:
    """A documents-only output: lengths (characters) and languages of the curated documents."""
    import pyarrow.parquet as pq

    lengths = []
    for entry in data.manifest["documents"]["parts"]:
        if not entry["path"].endswith(".parquet"):
            continue
        table = pq.read_table(data.out_dir / entry["path"], columns=["text", "metadata"])
        lengths += [len(t or "") for t in table.column("text").to_pylist()]
        for meta in table.column("metadata").to_pylist():
            lang = str(json.loads(meta or "{}").get("lang") or "none")
            data.langs.setdefault(lang, [0, 0])[0] += 1
    data.after_lengths = np.asarray(lengths, dtype=np.int64)


def _rejected_text_bytes(parts: list[Path]) -> int:
    """Uncompressed size of the text column from Parquet footers: no data is read."""
    import pyarrow.parquet as pq

    total = 0
    for p in parts:
        md = pq.ParquetFile(p).metadata
        col = md.schema.names.index("text")
        total += sum(md.row_group(i).column(col).total_uncompressed_size for i in range(md.num_row_groups))
    return total


def _read_rejected(data: ReportData, tok, budget: int) -> None:
    import pyarrow.parquet as pq

    parts = _parts(data.out_dir / "rejected")
    total = _rejected_text_bytes(parts)
    data.sample_fraction = 1.0 if total <= budget else budget / total
    cut = int(data.sample_fraction * 2**64)
    weight = 1.0 / data.sample_fraction
    best: dict[str, list[tuple[int, dict]]] = {}
    for p in parts:
        for batch in pq.ParquetFile(p).iter_batches(batch_size=2048, columns=["id", "text", "source", "metadata", "stage", "rule", "reason"]):
            for row in batch.to_pylist():
                meta = json.loads(row["metadata"] or "{}")
                h = id_hash64(row["id"])
                if row["stage"] not in PRE_TEXT_STAGES:
                    lang = str(meta.get("lang") or "none")
                    data.langs.setdefault(lang, [0, 0])[1] += 1
                    if data.documents_only:
                        data.before_lengths.append(len(row["text"] or ""))
                    elif tok is not None and h < cut:
                        n = len(tok.encode(row["text"] or "")) + 2
                        data.removed_tokens[row["stage"]] = data.removed_tokens.get(row["stage"], 0.0) + n * weight
                        data.before_lengths.append(n)
                _keep_example(best, row, meta, h)
    data.examples = {r: [ex for _, ex in sorted(v)] for r, v in sorted(best.items())}


def rule_values(meta: dict, rule: str, stage: str) -> dict | None:
    """The values that decided: a filter stores them under its name (filters/base.run_chain);
    stages without filters (dedup) under the stage name."""
    for key in (rule, stage):
        if isinstance(meta.get(key), dict):
            return meta[key]
    return None


def _keep_example(best: dict, row: dict, meta: dict, h: int) -> None:
    """Keep the EXAMPLES_PER_REASON documents of smallest id hash per reason: a fixed,
    unbiased choice that does not depend on file order."""
    items = best.setdefault(row["reason"] or "(no reason)", [])
    if len(items) >= EXAMPLES_PER_REASON and h >= items[-1][0]:
        return
    text = row["text"] or ""
    rule = row["rule"] or ""
    values = rule_values(meta, rule, row["stage"])
    annotations = {k: v for k, v in meta.items() if k not in LINEAGE_KEYS and k not in REJECT_KEYS and v is not values}
    items.append((h, {
        "id": row["id"],
        "source": row["source"],
        "stage": row["stage"],
        "rule": rule,
        "values": values,
        "annotations": annotations,
        "lineage": {k: meta[k] for k in LINEAGE_KEYS if k in meta},
        "text": text[:EXAMPLE_CHARS],
        "more_chars": max(0, len(text) - EXAMPLE_CHARS),
    }))
    items.sort(key=lambda kv: kv[0])
    del items[EXAMPLES_PER_REASON:]


def _read_duplicates(data: ReportData) -> None:
    import pyarrow.parquet as pq

    members: dict[tuple[str, str], set] = {}
    for p in _parts(data.out_dir / "duplicates"):
        t = pq.read_table(p, columns=["doc_id", "cluster_id", "kept_id", "kind"]).to_pydict()
        for doc, cluster, kept, kind in zip(t["doc_id"], t["cluster_id"], t["kept_id"], t["kind"]):
            m = members.setdefault((kind, cluster), set())
            m.add(doc)
            m.add(kept)
    for (kind, _), m in sorted(members.items()):
        data.clusters.setdefault(kind, []).append(len(m))


# ---------------------------------------------------------------- figures from the data
def funnel_series(data: ReportData) -> tuple[list[str], list[int], list[int], list, list]:
    """Per stage: documents in/out (stats.json) and tokens in/out where text exists.

    Tokens entering a stage = tokens written + tokens of every document removed at that stage or
    later; a stage lets out what the next one takes in."""
    order = data.stats.get("stage_order") or list(data.stats["stages"])
    st = data.stats["stages"]
    final = None if data.documents_only else (data.manifest or {}).get("totals", {}).get("tokens")
    tok_in: list = []
    for i, s in enumerate(order):
        if final is None or s in PRE_TEXT_STAGES:
            tok_in.append(None)
        else:
            tok_in.append(final + sum(data.removed_tokens.get(t, 0.0) for t in order[i:]))
    tok_out = [tok_in[i + 1] if i + 1 < len(order) else (final if tok_in[i] is not None else None) for i in range(len(order))]
    return order, [st[s]["in"] for s in order], [st[s]["out"] for s in order], tok_in, tok_out


def removal_counts(stats: dict) -> dict[str, int]:
    """Documents removed or failed per reason; WARC records that are not documents (requests,
    metadata, ...) are left out: see curation.stats.non_document_records."""
    from curation.stats import NON_DOCUMENT_REASONS, reason_totals

    return {r: n for r, n in reason_totals(stats).items() if n and r not in NON_DOCUMENT_REASONS}


def language_rows(data: ReportData, top: int = 20) -> list[tuple[str, int, int]]:
    rows = sorted(((k, v[0], v[1]) for k, v in data.langs.items()), key=lambda r: (-(r[1] + r[2]), r[0]))
    if len(rows) > top:
        rest = rows[top - 1:]
        rows = rows[: top - 1] + [(f"{len(rest)} others", sum(r[1] for r in rest), sum(r[2] for r in rest))]
    return rows


def source_rows(manifest: dict | None) -> list[tuple[str, int, int]]:
    src = (manifest or {}).get("sources", {})
    return sorted(((k, int(v["tokens"]), int(v["documents"])) for k, v in src.items()), key=lambda r: (-r[1], r[0]))


def esc(value) -> str:
    return html.escape(str(value), quote=True)
