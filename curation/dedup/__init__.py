"""Dedup math without Beam: normalisation and shingles (normalize), MinHash and LSH banding
(minhash), the keep policy (keep), connected components by large-star/small-star (components)
and the resource plan (plan). The Beam graph is pipelines/dedup.py; docs/dedup.md explains both."""
