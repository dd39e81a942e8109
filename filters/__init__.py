"""Language and quality filters. Pure Python: nothing here imports Apache Beam."""
