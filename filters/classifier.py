"""A fastText quality classifier as a filter: annotate every routed document with its score,
keep by a threshold (DCLM, Li et al. 2024).

Any supervised fastText model file works; `curate train-classifier` makes one (labels ``hq``
and ``lq``). The score is the model's probability of ``quality.classifier.label``, read from
all labels so that a model with more than two classes scores the same way; it goes into
``metadata["classifier_v1"]["score"]`` for kept and rejected documents alike, so the threshold
can be re-chosen later from the stored scores (DCLM kept its top 10%, a corpus-dependent cut).
Text is prepared exactly as for training (curation/classifier.py ``prepare``).
"""

from __future__ import annotations

from curation.classifier import model_file, prepare
from curation.config import ClassifierConfig
from curation.document import Document
from curation.errors import UserError
from filters.base import Filter, Verdict


class QualityClassifier(Filter):
    name = "classifier_v1"
    stage = "quality"
    rules = ("classifier_low_score",)

    def __init__(self, cfg: ClassifierConfig):
        self.cfg = cfg
        self.sources = tuple(cfg.sources)
        # Resolved now, in the launching process: a missing model is exit 2, not a worker crash.
        self.model_path = str(model_file(cfg.model_path))
        self._model = None

    def setup(self) -> None:
        if self._model is None:
            from curation import fasttext_model

            self._model = fasttext_model.load(self.model_path)
            if self.cfg.label not in self._model.labels:
                raise UserError(
                    f"quality.classifier.label {self.cfg.label!r} is not a label of {self.model_path} "
                    f"(labels: {', '.join(self._model.labels)})"
                )

    def __getstate__(self):
        return {"cfg": self.cfg, "sources": self.sources, "model_path": self.model_path, "_model": None}

    def score(self, text: str) -> float:
        if self._model is None:
            self.setup()
        line = prepare(text, self.cfg.max_chars)
        if not line:
            return 0.0
        for label, prob in self._model.predict(line, k=-1):
            if label == self.cfg.label:
                return prob
        return 0.0

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        s = round(self.score(doc.text), 4)
        if s < self.cfg.threshold:
            return doc, Verdict.drop("classifier_low_score", score=s)
        return doc, Verdict.ok(score=s)
