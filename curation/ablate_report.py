"""DIR/ablate.html: the ablation's table and validation curves, one self-contained page.

The curves are drawn with matplotlib into inline SVG (no scripts, no files beside the page):
one colour per variant, a thin line per seed and a thick line for the mean over seeds, bits
per byte of the evaluation set against training tokens.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

from curation.ablate import BASELINES

PAGE = "ablate.html"


def curves_svg(results: dict) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    matplotlib.rcParams["svg.hashsalt"] = "curate-ablate"  # stable ids: the same results, the same page
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=100)
    for i, v in enumerate(results.get("variant_order") or list(results["variants"])):
        entry = results["variants"][v]
        colour = f"C{i % 10}"
        curves = [r["curve"] for r in entry["runs"].values() if r.get("curve")]
        for c in curves:
            ax.plot([p["tokens"] for p in c], [p["bpb"] for p in c], color=colour, alpha=0.35, linewidth=0.8)
        common = min((len(c) for c in curves), default=0)
        if common:
            xs = [p["tokens"] for p in curves[0][:common]]
            mean = np.mean([[p["bpb"] for p in c[:common]] for c in curves], axis=0)
            ax.plot(xs, mean, color=colour, linewidth=2.2, label=f"{v} (mean of {len(curves)})")
    ax.set_xlabel("training tokens")
    ax.set_ylabel("eval bits per byte")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def _fmt(x, spec=".4f") -> str:
    return "n/a" if x is None else format(x, spec)


def render(results: dict) -> str:
    e = results["eval"]
    rows = []
    for v in results.get("variant_order") or list(results["summary"]):
        entry = results["summary"][v]
        ts = results["variants"][v]["training_set"]
        fb = entry["final_bpb"] or {}
        cells = [v, f"{ts['documents']:,}", f"{ts['tokens']:,}", f"{results['variants'][v]['epochs']:.2f}",
                 f"{ts['decontaminated']:,}", _fmt(fb.get("mean")), _fmt(fb.get("std")),
                 f"{_fmt(fb.get('min'))} – {_fmt(fb.get('max'))}"]
        for base in BASELINES:
            c = entry["vs"].get(base)
            if c is None:
                cells.append("")
            else:
                ci = "" if c["ci95"] is None else f" ± {c['ci95']:.4f}"
                cells.append(f"{c['mean']:+.4f}{ci} <b class='{c['verdict']}'>{c['verdict']}</b>")
        rows.append("<tr>" + "".join(f"<td>{c if '<b' in c else html.escape(c)}</td>" for c in cells) + "</tr>")
    build = results.get("build", {})
    held = build.get("eval_source", "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>curate ablate</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; }} td, th {{ border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }} .better {{ color: #176b2c; }} .worse {{ color: #a1261b; }}
.inconclusive {{ color: #8a6d00; }} .note {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Ablation: does curation pay on this data?</h1>
<p>Preset <b>{html.escape(results['preset'])}</b>, {results['tokens_per_run']:,} training tokens per run
({results['steps']} steps), seeds {html.escape(str(results['seeds']))}. Evaluation set: {html.escape(held)}
{e['eval_documents']:,} chunks, {e['eval_tokens']:,} tokens; {e['windows']} of {e['windows_available']} windows evaluated
({e['targets']:,} targets, {e['bytes']:,} bytes). Lower bits per byte is better.</p>
<table><tr><th>variant</th><th>train docs</th><th>train tokens</th><th>epochs</th><th>decontaminated</th>
<th>bpb mean</th><th>std</th><th>min – max</th><th>vs raw</th><th>vs curated</th></tr>
{''.join(rows)}
</table>
<p class="note">Differences are paired by seed (variant − baseline) with the 95% t-interval of their mean;
"inconclusive" when the interval covers zero. Every variant trains the same model for the same tokens with the
same seeds and one shared tokenizer, and is evaluated on the same windows of an evaluation set excluded from
all of them; training documents that duplicate an evaluation document were removed first.</p>
<h2>Validation curves</h2>
{curves_svg(results)}
</body></html>
"""


def write(output_dir: str | Path, results: dict) -> Path:
    path = Path(output_dir) / PAGE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render(results), encoding="utf-8")
    tmp.replace(path)
    return path
