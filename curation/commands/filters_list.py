"""`curate filters --list`: every built-in filter and every installed plugin filter."""

from __future__ import annotations

import json


def add_parser(sub):
    p = sub.add_parser("filters", help="list the built-in and plugin filters with their reason codes",
                       description="List every filter: its versioned name, stage, the sources it is routed to, and the "
                       "rule codes it can give (reasons read <stage>/<rule>). Plugins come from the curate.filters "
                       "entry-point group.")
    p.add_argument("--list", action="store_true", default=True, help="list filters (the default action)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


def rows() -> list[dict]:
    from filters import plugins, registry

    out = []
    for f in registry.all_filters():
        out.append({"name": f.name, "stage": f.stage, "sources": list(f.sources) if f.sources else ["*"],
                    "rules": list(getattr(f, "rules", ())), "origin": "built-in"})
    for name, ep in plugins.discover().items():
        entry = {"name": name, "stage": "quality", "sources": ["*"], "rules": [], "origin": f"plugin {ep.value}"}
        try:
            cls = ep.load()
            entry["rules"] = list(getattr(cls, "rules", ()))
            entry["sources"] = list(getattr(cls, "sources", None) or ["*"])
            entry["filter_name"] = getattr(cls, "name", name)
        except Exception as e:  # listed anyway, with the reason it cannot load
            entry["origin"] += f" (cannot load: {type(e).__name__}: {e})"
        out.append(entry)
    return out


# Reasons given outside the filters: readers, extraction, sampling, dedup and decontamination
# (docs/contracts.md lists the full set). PII redacts text and removes no document.
STAGE_REASONS = {
    "read": ("request", "revisit", "metadata", "warcinfo", "resource", "continuation", "other_record", "non_http",
             "http_status", "non_html", "bad_http", "truncated", "too_large", "binary", "decode", "empty", "empty_file",
             "encoding", "license", "vendored", "generated", "bytecode", "unknown_language", "symlink", "unreadable",
             "bad_json", "bad_row"),
    "extract": ("empty", "timeout", "too_large", "too_deep"),
    "sample": ("not_sampled", "over_limit"),
    "dedup": ("exact", "near"),
    "decontaminate": ("<test set name>",),
}


def run(args) -> int:
    data = rows()
    if args.json:
        stages = [{"name": stage, "stage": stage, "sources": ["*"], "rules": list(reasons), "origin": "stage"}
                   for stage, reasons in STAGE_REASONS.items()]
        print(json.dumps(data + stages, indent=2))
        return 0
    print(f"{'FILTER':<28} {'STAGE':<8} {'SOURCES':<26} ORIGIN")
    for r in data:
        print(f"{r['name']:<28} {r['stage']:<8} {','.join(r['sources']):<26} {r['origin']}")
        if r["rules"]:
            print(f"{'':<28} reasons: {', '.join(r['stage'] + '/' + x for x in r['rules'])}")
    print("\nreasons given outside the filters (the stage that gives them, then the rule):")
    for stage, reasons in STAGE_REASONS.items():
        print(f"  {stage:<14} {', '.join(reasons)}")
    print("  pii            (redacts text, counted per kind in stats.json metrics; removes no document)")
    return 0
