"""`curate explain DOC_ID DIR`: where one document came from and what happened to it."""

from __future__ import annotations

import json


def add_parser(sub):
    p = sub.add_parser(
        "explain",
        help="show one document's path through a build-shards run",
        description="Where the document came from (file, record, offset), every annotation, and the stage and reason that "
        "removed it, its duplicate cluster and survivor, or the shard and row where it ended. Exit 2 if DIR does not know the id.",
    )
    p.add_argument("doc_id", metavar="DOC_ID", help="document id (as in rejected/, duplicates/ or the shards' doc_id)")
    p.add_argument("dir", metavar="DIR", help="output folder of curate build-shards")
    p.add_argument("--json", action="store_true", help="print the explanation as JSON")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def run(args) -> int:
    from curation.explain import explain, format_explanation

    info = explain(args.doc_id, args.dir)
    print(json.dumps(info, indent=2, sort_keys=True, ensure_ascii=False) if args.json else format_explanation(info))
    return 0
