"""`curate report DIR`: one self-contained HTML file describing a build-shards output folder."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser(
        "report",
        help="write an HTML report of what a build-shards run did",
        description="Read DIR/stats.json, DIR/manifest.json, the shards, DIR/rejected/ and DIR/duplicates/ and write one "
        "self-contained HTML file (inline figures, no external resource): the funnel of documents and tokens through every "
        "stage, removals by reason, languages, document lengths before and after, duplicate cluster sizes, tokens per source "
        "and example documents for every removal reason.",
    )
    p.add_argument("dir", metavar="DIR", help="output folder of curate build-shards")
    p.add_argument("--output", metavar="FILE", help="where to write the HTML (default: DIR/report.html)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def run(args) -> int:
    from curation.report_html import write_report

    path = write_report(args.dir, args.output)
    print(f"wrote {path}")
    return 0
