"""Summarise a py-spy raw profile (``py-spy record -f raw``): where the samples went.

    python bench/profile_summary.py PROFILE.txt [--top 15] [--match inspect.signature ...]

Prints the share of samples by leaf function (self time) and by any frame on the stack
(inclusive time, each function counted once per sample), plus the share of samples whose stack
holds each --match substring. Process and thread frames py-spy adds are ignored.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

_FRAME = re.compile(r"^(?P<fn>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


def frame_name(frame: str) -> str:
    """'fn (path/to/mod.py:12)' -> 'mod.py:fn' (the package folder kept for site-packages)."""
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    parts = m["file"].split("/")
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1 :]
        return "/".join(parts[:1] + parts[-1:]) + ":" + m["fn"]
    return "/".join(parts[-2:]) + ":" + m["fn"]


def load(path: str):
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        yield frames, int(n)


def summarise(path: str, top: int, matches: list[str]) -> str:
    leaf, incl, hits = Counter(), Counter(), Counter()
    total = 0
    for frames, n in load(path):
        total += n
        names = [frame_name(f) for f in frames]
        if names:
            leaf[names[-1]] += n
        for name in set(names):
            incl[name] += n
        joined = ";".join(frames)
        for m in matches:
            if m in joined:
                hits[m] += n
    out = [f"{path}: {total} samples"]
    out.append("  self (leaf frame):")
    out += [f"    {n / total:6.1%}  {k}" for k, n in leaf.most_common(top)]
    out.append("  inclusive:")
    out += [f"    {n / total:6.1%}  {k}" for k, n in incl.most_common(top)]
    if matches:
        out.append("  stacks holding:")
        out += [f"    {hits[m] / total:6.1%}  {m}" for m in matches]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("profile")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--match", nargs="*", default=[])
    a = ap.parse_args()
    print(summarise(a.profile, a.top, a.match))


if __name__ == "__main__":
    main()
