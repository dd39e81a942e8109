"""Run datatrove 0.10.1's language + quality chain on a JSONL of documents (helper of
bench/filters.py; runs inside bench/.venvs/datatrove, imports nothing from this project).

    python _datatrove_chain.py DOCS.jsonl OUT.jsonl LID_MODEL [--rounds N]

The chain is FineWeb's: language (lid.176, English, score > 0.65, as datatrove's LanguageFilter
computes it -- whole text, newlines folded; its own class downloads the model, so the same file
is called through plain fastText here) -> GopherRepetitionFilter -> GopherQualityFilter ->
C4QualityFilter -> FineWebQualityFilter, all with their defaults. Each filter's ``filter()`` is
called directly in one process: the executor's overhead is left out, in datatrove's favour.
"""

import json
import sys
import time

import fasttext
from datatrove.data import Document
from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter


class Lid:
    name = "language"

    def __init__(self, path):
        self.model = fasttext.load_model(path)

    def filter(self, doc):
        # datatrove's FT176LID.predict: whole text, "\n" -> " ", every label's score.
        pairs = self.model.f.predict(doc.text.replace("\n", " "), -1, 0.0, "strict")
        scores = {lb.removeprefix("__label__"): p for p, lb in pairs}
        return scores.get("en", 0.0) > 0.65, "language"


def main():
    src, out, model = sys.argv[1:4]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 1
    rows = [json.loads(line) for line in open(src, encoding="utf-8")]
    chain = [Lid(model), GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(), FineWebQualityFilter()]
    decisions = {}
    per_filter = {f.name: 0.0 for f in chain}
    total = []
    for r in range(rounds):
        t_round = 0.0
        for row in rows:
            doc = Document(text=row["text"], id=row["id"], metadata={})
            reason = ""
            for f in chain:
                t0 = time.perf_counter()
                res = f.filter(doc)
                dt = time.perf_counter() - t0
                t_round += dt
                if r == 0:
                    per_filter[f.name] += dt
                keep, why = (res if isinstance(res, tuple) else (res, ""))
                if not keep:
                    reason = f"{f.name}/{why}"
                    break
            decisions[row["id"]] = reason
        total.append(t_round)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"decisions": decisions, "seconds": total, "per_filter_s": per_filter, "docs": len(rows)}, fh)


if __name__ == "__main__":
    main()
