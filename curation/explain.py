"""`curate explain DOC_ID DIR`: one document's path through a build-shards output folder.

Where it came from (input file, record, offset, URL), every annotation, and its fate: the stage,
rule and reason that removed it (rejected/), the duplicate cluster and survivor (duplicates/),
or the shard and row where it ended, with the lines C4 cut from it. Shards hold no metadata, so a kept document's lineage and
annotations come from the newest finished stage checkpoint (``DIR/stages/<group>-<key>/documents``)
when the run kept one.

Lookups read one column at a time and stop early: rejected/ is filtered on ``id`` by Arrow, and
the shard of a kept document is computed from its id hash (curation/shards.py placement) before
any other shard is opened.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from curation.config import PipelineConfig, from_mapping
from curation.document import Document
from curation.errors import ConfigError, UserError
from curation.thresholds import thresholds
from filters.c4 import C4
from filters.repair import Repair

LINEAGE = (
    "source_file", "warc_record_id", "warc_type", "record_offset", "offset", "url", "domain", "crawl_date",
    "http_status", "content_type", "charset", "charset_source", "repo", "path", "size_bytes",
)
REJECT_KEYS = ("stage", "rule", "reason")
CHECKPOINT_GROUPS = ("dedup", "filter", "extract")  # newest first
SNIPPET_CHARS = 300


def _parts(directory: Path) -> list[Path]:
    return sorted(directory.glob("part-*.parquet")) if directory.is_dir() else []


def _rows_where(parts: list[Path], column: str, value: str, columns: list[str] | None = None) -> list[dict]:
    import pyarrow.dataset as ds

    if not parts:
        return []
    table = ds.dataset([str(p) for p in parts], format="parquet").to_table(columns=columns, filter=ds.field(column) == value)
    return table.to_pylist()


def _shard_candidates(doc_id: str, manifest: dict) -> list[dict]:
    """The shard entry placement says holds ``doc_id`` first, then every other shard."""
    from curation import shards
    from curation.document import id_hash64

    entries = manifest.get("shards", [])
    frac = manifest.get("config", {}).get("shards", {}).get("val_fraction")
    first = []
    if frac is not None:
        h = id_hash64(doc_id)
        split = shards.split_of(h, frac)
        n = sum(1 for e in entries if e["split"] == split)
        if n:
            first = [e for e in entries if e["path"] == shards.shard_path(split, shards.shard_index(h, split, n, frac))]
    return first + [e for e in entries if e not in first]


def find_in_shards(doc_id: str, out_dir: Path, manifest: dict | None) -> dict | None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for entry in _shard_candidates(doc_id, manifest or {}):
        path = out_dir / entry["path"]
        if not path.is_file():
            continue
        ids = pq.read_table(path, columns=["doc_id"]).column("doc_id")
        row = pc.index(ids, doc_id).as_py()
        if row >= 0:
            rec = pq.read_table(path, columns=["source", "lang", "url", "n_tokens"]).slice(row, 1).to_pylist()[0]
            return {"path": entry["path"], "row": row, "split": entry.get("split"), **rec}
    return None


def find_in_documents(doc_id: str, out_dir: Path) -> dict | None:
    """A kept document in DIR/documents/ (--emit documents): its part, row and full record."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for part in _parts(out_dir / "documents"):
        row = pc.index(pq.read_table(part, columns=["id"]).column("id"), doc_id).as_py()
        if row >= 0:
            rec = pq.read_table(part).slice(row, 1).to_pylist()[0]
            return {"path": part.relative_to(out_dir).as_posix(), "row": row, "record": rec}
    return None


def _checkpoint_document(doc_id: str, out_dir: Path, groups=CHECKPOINT_GROUPS) -> dict | None:
    """The document as the newest finished checkpoint stored it (full metadata), if any."""
    stages = out_dir / "stages"
    for group in groups:
        dirs = [d for d in stages.glob(f"{group}-*") if (d / "_SUCCESS.json").is_file()] if stages.is_dir() else []
        for d in sorted(dirs, key=lambda d: (d / "_SUCCESS.json").stat().st_mtime, reverse=True):
            rows = _rows_where(_parts(d / "documents"), "id", doc_id)
            if rows:
                return {**rows[0], "checkpoint": f"stages/{d.name}"}
    return None


def _run_config(out: Path) -> dict | None:
    """The resolved config from run.json, for a run that wrote no manifest."""
    try:
        return json.loads((out / "run.json").read_text(encoding="utf-8")).get("config")
    except (OSError, ValueError):
        return None
def removed_lines(doc_id: str, out_dir: Path, manifest: dict | None, annotations: dict) -> list[dict] | None:
    """The lines C4 removed from a kept document, with their reasons: re-derived from the text the
    extract checkpoint holds (repaired as the run repaired it) with the run's config. None when
    C4 did not judge the document or no extract checkpoint holds it."""
    c4_values = annotations.get(C4.name)
    if not isinstance(c4_values, dict) or not c4_values.get("lines_removed"):
        return [] if isinstance(c4_values, dict) else None
    record = _checkpoint_document(doc_id, out_dir, groups=("extract",))
    if record is None:
        return None
    try:
        cfg = from_mapping(PipelineConfig, (manifest or {}).get("config") or {})
    except ConfigError:  # a manifest from another version of curate: its rules cannot be replayed
        return None
    text = record["text"]
    if cfg.quality.repair.enabled:
        text = Repair(cfg.quality.repair).repair(text)[0]
    doc = Document(doc_id, text, record.get("source") or "web", {"lang": annotations.get("lang")})
    return [{"reason": reason, "line": line} for line, reason, _ in C4(cfg.quality.c4).judge_lines(doc) if reason]


def explain(doc_id: str, out_dir: str | Path) -> dict:
    """Everything the output folder knows about ``doc_id``; UserError if it knows nothing."""
    out = Path(out_dir)
    if not (out / "stats.json").is_file():
        raise UserError(f"{out_dir}: not a curate output folder (no stats.json)")
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else None

    rejected = _rows_where(_parts(out / "rejected"), "id", doc_id)
    dup_parts = _parts(out / "duplicates")
    as_duplicate = _rows_where(dup_parts, "doc_id", doc_id)
    as_survivor = _rows_where(dup_parts, "kept_id", doc_id)
    shard = find_in_shards(doc_id, out, manifest) if not rejected else None
    # Several input records may carry one id (a WARC read twice, copies in --docs): each keeps
    # its own annotations. The first is explained; the others are named, never merged into it.
    also = [{"stage": r["stage"], "reason": r["reason"], "source_file": json.loads(r["metadata"] or "{}").get("source_file")}
            for r in rejected[1:]]
    if rejected:
        kept_too = find_in_shards(doc_id, out, manifest)
        if kept_too:
            also.append({"kept": kept_too["path"], "row": kept_too["row"]})
    record = rejected[0] if rejected else None
    kept = find_in_documents(doc_id, out) if not rejected else None
    if record is None and kept is not None:
        record = {**kept.pop("record"), "checkpoint": kept["path"]}
    if record is None and shard is not None:
        record = _checkpoint_document(doc_id, out)
    if not (rejected or as_duplicate or as_survivor or shard or kept):
        raise UserError(f"document {doc_id!r} is not in {out_dir} (not in rejected/, duplicates/, documents/ or the shards)")

    meta = json.loads(record["metadata"] or "{}") if record else {}
    info: dict = {
        "id": doc_id,
        "source": (record or {}).get("source") or (shard or {}).get("source"),
        "origin": {k: meta[k] for k in LINEAGE if k in meta},
        "annotations": {k: v for k, v in sorted(meta.items()) if k not in LINEAGE and k not in REJECT_KEYS},
        "metadata_from": "rejected/" if rejected else (record or {}).get("checkpoint"),
        "removed": None,
        "duplicate_of": None,
        "survivor_of": None,
        "shard": shard,
        "documents": kept,  # {path, row} in DIR/documents/ (--emit documents)
        "removed_lines": None,
        "other_records": also,
    }
    if (shard is not None or kept is not None) and record is not None:  # kept: in the shards or documents/
        info["removed_lines"] = removed_lines(doc_id, out, manifest, info["annotations"])
    if rejected:
        r = rejected[0]
        from curation.report import rule_values

        values = rule_values(meta, r["rule"], r["stage"])
        config = (manifest or {}).get("config") or _run_config(out)
        info["removed"] = {"stage": r["stage"], "rule": r["rule"], "reason": r["reason"], "values": values,
                           "thresholds": thresholds(r["reason"].split("/", 1)[-1], r["rule"], config)}
    text = (record or {}).get("text") or ""
    if text:
        info["snippet"] = {"text": text[:SNIPPET_CHARS], "more_chars": max(0, len(text) - SNIPPET_CHARS)}
    if as_duplicate:
        d = as_duplicate[0]
        rows = _rows_where(dup_parts, "cluster_id", d["cluster_id"], ["doc_id", "kept_id"])
        members = {r["doc_id"] for r in rows} | {r["kept_id"] for r in rows}
        prior = d.get("prior_run")  # the survivor is a document of an earlier run (--against)
        info["duplicate_of"] = {
            "kept_id": d["kept_id"], "cluster_id": d["cluster_id"], "kind": d["kind"], "similarity": d["similarity"],
            "cluster_size": len(members), "prior_run": prior,
            "survivor_shard": None if prior else find_in_shards(d["kept_id"], out, manifest),
        }
    if as_survivor:
        info["survivor_of"] = {
            "clusters": sorted({r["cluster_id"] for r in as_survivor}),
            "removed": sorted(r["doc_id"] for r in as_survivor),
            "kinds": sorted({r["kind"] for r in as_survivor}),
        }
    return info


def _kv(d: dict) -> str:
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in d.items())


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(line: str) -> str:
    """``line`` with control characters (terminal escapes, carriage returns, bidi overrides) from
    ids, URLs and file names written as ``\\x1b``-style escapes: a record cannot drive the terminal."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), line)


def format_explanation(info: dict) -> str:
    """The human-readable path, one fact per line, control characters escaped (printable)."""
    return "\n".join(printable(line) for line in _lines(info))


def _lines(info: dict) -> list[str]:
    lines = [f"document {info['id']}", f"  source       {info['source'] or 'unknown'}"]
    o = info["origin"]
    if o:
        where = f"file {o.get('source_file', '?')}"
        if "warc_record_id" in o:
            where += f", record {o['warc_record_id']}"
        for key in ("record_offset", "offset"):
            if key in o:
                where += f", offset {o[key]}"
        lines.append(f"  came from    {where}")
        rest = {k: v for k, v in o.items() if k not in ("source_file", "warc_record_id", "record_offset", "offset")}
        if rest:
            lines.append(f"  lineage      {_kv(rest)}")
    elif info["shard"]:
        lines.append("  came from    unknown: the shards keep no lineage and no stage checkpoint holds this document")
    if info["annotations"]:
        lines.append("  annotations" + (f"  (from {info['metadata_from']})" if info["metadata_from"] else ""))
        lines.extend(f"    {k} = {json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in info["annotations"].items())
    r = info["removed"]
    if r:
        lines.append(f"  REMOVED      at stage {r['stage']} by {r['rule']}: {r['reason']}")
        if r["values"]:
            lines.append(f"  rule values  {_kv(r['values'])}")
        if r.get("thresholds"):
            lines.append(f"  compared to  {_kv(r['thresholds'])}  (the run's config)")
    d = info["duplicate_of"]
    if d:
        of = f"{d['kept_id']} of the earlier run {d['prior_run']}" if d.get("prior_run") else d["kept_id"]
        lines.append(f"  duplicate    {d['kind']} duplicate (similarity {d['similarity']:.3f}) of {of}, "
                     f"cluster {d['cluster_id']} of {d['cluster_size']} documents")
        s = d["survivor_shard"]
        if d.get("prior_run"):
            lines.append(f"  survivor     in the earlier run: curate explain {d['kept_id']} {d['prior_run']}")
        elif d["kind"] == "url":
            lines.append("  survivor     the newest capture of the same URL" + (f": ended in {s['path']} row {s['row']}" if s else ""))
        else:
            lines.append("  survivor     " + (f"ended in {s['path']} row {s['row']}" if s else "not in the shards (removed later)"))
    s = info["survivor_of"]
    if s:
        lines.append(f"  kept over    {len(s['removed'])} {'/'.join(s['kinds'])} duplicate(s): {', '.join(s['removed'][:5])}"
                     + (" ..." if len(s["removed"]) > 5 else ""))
    snip = info.get("snippet")
    if snip:
        text = " ".join(snip["text"].split())
        lines.append(f"  text         {text}" + (f" ... ({snip['more_chars']:,} more characters)" if snip["more_chars"] else ""))
    cut = info.get("removed_lines")
    if cut:
        lines.append(f"  lines cut    {len(cut)} lines removed from the kept text by C4 (re-derived from the extract checkpoint):")
        lines.extend(f"    [{c['reason']}] {c['line'][:160]}" for c in cut)
    for a in info.get("other_records", []):
        what = (f"kept in {a['kept']} row {a['row']}" if "kept" in a
                else f"removed at stage {a['stage']}: {a['reason']} (file {a['source_file'] or '?'})")
        lines.append(f"  also         another input record with this id (annotations not merged): {what}")
    sh = info["shard"]
    if sh:
        lines.append(f"  KEPT         {sh['path']} row {sh['row']} (split {sh['split']}, {sh['n_tokens']} tokens, lang {sh['lang'] or 'none'})")
    kept = info.get("documents")
    if kept:
        lines.append(f"  KEPT         {kept['path']} row {kept['row']} (the curated documents, --emit documents)")
    if not (r or sh or kept):
        lines.append("  ended        not in rejected/, documents/ nor the shards: the run did not finish")
    return lines
