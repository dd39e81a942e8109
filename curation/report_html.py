"""The report's HTML: one document, inline style and inline SVG, no script, no external
resource, every value HTML-escaped (document text and metadata come from the crawl).

Sections carry stable ids (``summary``, ``funnel``, ``removals``, ``languages``, ``lengths``,
``dedup``, ``sources``, ``examples``) and every figure a ``plot-<name>`` id, which the tests and
anyone linking into the report rely on.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from curation import fs
from curation import report_plots as plots
from curation.stats import non_document_records
from curation.thresholds import thresholds
from curation.report import (
    TOKEN_BUDGET,
    ReportData,
    collect,
    esc,
    funnel_series,
    language_rows,
    removal_counts,
    source_rows,
)
from curation.textcut import chars_removed, kept_text_cut

SECTIONS = ("summary", "funnel", "removals", "languages", "lengths", "dedup", "sources", "examples")
PLOTS = ("funnel", "removals", "languages", "lengths", "dedup", "sources")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
td:first-child,th:first-child,td.l{text-align:left}th{background:#f4f4f4}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:.9em}
.example{border:1px solid #ddd;border-radius:4px;margin:.6em 0;padding:.5em .8em}
.example pre{white-space:pre-wrap;word-break:break-word;background:#f8f8f8;padding:.5em;max-height:18em;overflow:auto}
.meta{font-size:.85em;color:#444}.note{color:#666;font-style:italic}nav a{margin-right:1em}
"""


def _figure(name: str, svg: str, caption: str) -> str:
    return f'<figure id="plot-{name}" class="plot">{svg}<figcaption>{esc(caption)}</figcaption></figure>'


def _note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def _fmt(v) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if isinstance(v, (int, float)) else esc(v)


def _summary(data: ReportData) -> str:
    order, d_in, d_out, t_in, t_out = funnel_series(data)
    st = data.stats["stages"]
    durations = (data.run or {}).get("stage_done_at") or {}
    head = "<tr><th>stage</th><th>in</th><th>kept</th><th>removed</th><th>failed</th><th>tokens in</th><th>tokens out</th>"
    head += "<th>done at (s)</th>" if durations else ""
    head += '<th class="l">top reasons</th></tr>'
    rows = []
    for i, s in enumerate(order):
        reasons = sorted({**st[s]["removed"], **st[s]["failed"]}.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        top = ", ".join(f"{r} {n:,}" for r, n in reasons)
        cells = [esc(s), _fmt(d_in[i]), _fmt(d_out[i]), _fmt(sum(st[s]["removed"].values())),
                 _fmt(sum(st[s]["failed"].values())), _fmt(t_in[i]), _fmt(t_out[i])]
        if durations:
            cells.append(esc(f"{durations[s]:.1f}") if durations.get(s) is not None else "")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + f'<td class="l">{esc(top)}</td></tr>')
    facts = []
    if data.manifest:
        t = data.manifest.get("totals", {})
        tok = data.manifest.get("tokenizer") or {}
        n_shards = len(data.manifest.get("shards", []))
        if data.documents_only:
            parts = len(data.manifest["documents"]["parts"])
            facts.append(f"{t.get('documents', 0):,} documents written in {parts} part(s) under documents/ "
                         "(--emit documents: no tokenizer, no shards; lengths below are in characters)")
        else:
            facts.append(f"{t.get('documents', 0):,} documents and {t.get('tokens', 0):,} tokens written in {n_shards} shards "
                         f"(train {t.get('train', {}).get('tokens', 0):,} tokens, val {t.get('val', {}).get('tokens', 0):,}); "
                         f"tokenizer {tok.get('kind', '?')} with {tok.get('vocab_size', '?'):,} ids")
    else:
        facts.append("no manifest.json: the run did not finish, so nothing here counts as written")
    if data.run:
        facts.append(f"run started {data.run.get('started', '?')}, {data.run.get('seconds', '?')} s on {data.run.get('runner', '?')}")
    acc = data.stats.get("accounting")
    if acc:
        facts.append("accounting checked: in = out + removed + failed for every stage" if acc.get("ok")
                     else "ACCOUNTING MISMATCH: " + "; ".join(acc.get("problems", [])))
    if data.sample_fraction < 1:
        facts.append(f"tokens of removed documents estimated from a {data.sample_fraction:.1%} sample of rejected/ (by id hash)")
    lis = "".join(f"<li>{esc(f)}</li>" for f in facts)
    return f"<ul>{lis}</ul><table>{head}{''.join(rows)}</table>"


def _funnel(data: ReportData) -> str:
    svg = plots.funnel(*funnel_series(data))
    return _figure("funnel", svg, "Documents and tokens entering (pale) and leaving (solid) every stage. Tokens are counted with "
                   "the run's tokenizer from the first stage that sees extracted text: tokens written plus tokens of every "
                   "document removed at or after a stage.")


def _text_cut(data: ReportData) -> str:
    """Characters the rules took out of documents they kept (C4's lines, PII), per stage and rule."""
    rows = []
    for name in data.stats.get("stage_order", list(data.stats["stages"])):
        m = data.stats["stages"][name].get("metrics", {})
        shares = kept_text_cut(m)
        rows += [f'<tr><td>{esc(name)}</td><td class="l">{esc(rule)}</td><td>{n:,}</td><td>{shares.get(rule, 0):.2%}</td></tr>'
                 for rule, n in chars_removed(m).items()]
    if not rows:
        return _note("the rules cut no text from the documents they kept")
    return ('<h3 id="text-cut">Text cut from kept documents</h3><table><tr><th>stage</th><th class="l">rule</th>'
            f"<th>characters</th><th>share of kept text</th></tr>{''.join(rows)}</table>")


def _removals(data: ReportData) -> str:
    counts = removal_counts(data.stats)
    records = non_document_records(data.stats)
    apart = ""
    if records:
        apart = _note(f"{sum(records.values()):,} WARC records that are not documents were skipped at read and are not "
                      "counted here: " + ", ".join(f"{r} {n:,}" for r, n in records.items()))
    if not counts:
        return apart + _note("no document was removed or failed at any stage") + _text_cut(data)
    table = "".join(f'<tr><td>{esc(r)}</td><td>{n:,}</td></tr>' for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return _figure("removals", plots.reasons(counts), "Documents removed (or failed) per reason, over all stages.") + \
        f"<table><tr><th>reason</th><th>documents</th></tr>{table}</table>" + apart + _text_cut(data)


def _languages(data: ReportData) -> str:
    rows = language_rows(data)
    if not rows:
        return _note("no language annotations: no document reached language identification")
    return _figure("languages", plots.languages(rows), "Documents per language (metadata lang): kept (in shards) and removed after "
                   "language identification. 'none' is a document without a language, such as code.")


def _lengths(data: ReportData) -> str:
    if not len(data.after_lengths) and not data.before_lengths:
        return _note("no document lengths: no shards and no removed text")
    removed = np.asarray(data.before_lengths, dtype=np.int64)
    before = np.concatenate([removed, data.after_lengths])
    weights = np.concatenate([np.full(len(removed), 1.0 / data.sample_fraction), np.ones(len(data.after_lengths))])
    if data.documents_only:
        return _figure("lengths", plots.lengths(before, weights, data.after_lengths, unit="characters"),
                       "Document length in characters before the filters (every document with extracted text: the kept "
                       "ones plus those removed from language identification on) and after (documents/).")
    return _figure("lengths", plots.lengths(before, weights, data.after_lengths),
                   "Document length in tokens (BOS and EOS included) before the filters (every document with extracted text: "
                   "the kept ones plus those removed from language identification on) and after (the shards).")


def _dedup(data: ReportData) -> str:
    if not data.clusters:
        return _note("no duplicate clusters (duplicates/ is empty or absent)")
    lines = "".join(
        f"<tr><td>{esc(k)}</td><td>{len(v):,}</td><td>{sum(v):,}</td><td>{sum(v) - len(v):,}</td><td>{max(v):,}</td></tr>"
        for k, v in sorted(data.clusters.items())
    )
    table = f"<table><tr><th>kind</th><th>clusters</th><th>documents</th><th>removed</th><th>largest</th></tr>{lines}</table>"
    return _figure("dedup", plots.cluster_sizes(data.clusters), "Duplicate clusters by size; one survivor is kept per cluster.") + table


def _sources(data: ReportData) -> str:
    rows = source_rows(data.manifest)
    if not rows and data.documents_only:
        return _note("no tokens written: a documents-only output (--emit documents); build with --emit documents,tokens "
                     "for shards")
    if not rows:
        return _note("no tokens written (no manifest.json or no shard)")
    return _figure("sources", plots.tokens_per_source(rows), "Tokens written to shards per source (BOS and EOS included).")


def _example(ex: dict, limits: dict | None = None) -> str:
    lineage = ", ".join(f"{k}={v}" for k, v in ex["lineage"].items())
    if ex["values"]:
        vals = "".join(f"<tr><td>{esc(k)}</td><td class=\"l\">{esc(json.dumps(v, ensure_ascii=False))}</td></tr>"
                       for k, v in sorted(ex["values"].items()))
        # the run's thresholds the values were compared with (curation/thresholds.py)
        vals += "".join(f"<tr><td>threshold {esc(k)}</td><td class=\"l\">{esc(json.dumps(v))}</td></tr>"
                        for k, v in (limits or {}).items())
        values = f"<table><tr><th>{esc(ex['rule'])}</th><th class=\"l\">value</th></tr>{vals}</table>"
    else:
        values = _note("no rule values recorded")
    ann = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in sorted(ex["annotations"].items()))
    more = f"\n... ({ex['more_chars']:,} more characters)" if ex["more_chars"] else ""
    return (
        f'<div class="example"><div class="meta"><b>{esc(ex["id"])}</b> · source {esc(ex["source"])} · {esc(lineage)}</div>'
        f"{values}" + (f'<div class="meta">annotations: {esc(ann)}</div>' if ann else "")
        + (f"<pre>{esc(ex['text'])}{esc(more)}</pre>" if ex["text"] else _note("empty text (nothing was extracted or the record has no body)"))
        + "</div>"
    )


def _examples(data: ReportData) -> str:
    if not data.examples:
        return _note("rejected/ holds no document")
    counts = removal_counts(data.stats)
    config = (data.manifest or {}).get("config") or (data.run or {}).get("config")
    out = []
    for i, (reason, exs) in enumerate(sorted(data.examples.items(), key=lambda kv: (-counts.get(kv[0], 0), kv[0]))):
        out.append(f'<h3 id="reason-{i}">{esc(reason)} <span class="meta">({counts.get(reason, len(exs)):,} documents; '
                   f"{len(exs)} shown, smallest id hash first)</span></h3>")
        limits = thresholds(reason.split("/", 1)[-1], exs[0]["rule"] if exs else "", config)
        out.extend(_example(ex, limits) for ex in exs)
    return "".join(out)


TITLES = {
    "summary": "Summary", "funnel": "Funnel", "removals": "Removals by reason", "languages": "Languages",
    "lengths": "Document lengths", "dedup": "Duplicate clusters", "sources": "Tokens per source", "examples": "Examples per removal reason",
}


def render(data: ReportData) -> str:
    body = {
        "summary": _summary, "funnel": _funnel, "removals": _removals, "languages": _languages,
        "lengths": _lengths, "dedup": _dedup, "sources": _sources, "examples": _examples,
    }
    nav = "".join(f'<a href="#{s}">{esc(TITLES[s])}</a>' for s in SECTIONS)
    sections = "".join(f'<section id="{s}"><h2>{esc(TITLES[s])}</h2>{body[s](data)}</section>' for s in SECTIONS)
    title = f"curate report: {data.out_dir.name}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{esc(title)}</h1><nav>{nav}</nav>{sections}</body></html>\n"
    )


def write_report(out_dir: str | Path, output: str | Path | None = None, token_budget: int = TOKEN_BUDGET) -> Path:
    """Collect, render and write the report (under a temporary name, then renamed)."""
    target = Path(output) if output else Path(out_dir) / "report.html"
    fs.write_bytes_atomic(str(target), render(collect(out_dir, token_budget)).encode("utf-8"))
    return target
