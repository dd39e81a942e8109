"""Facts about languages that several stages share (language codes are lid.176's)."""

# Languages written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese,
# Tibetan, Cantonese, Wu, Dzongkha). Word-based quality rules (mean word length, stop words,
# words per line) need a segmenter we do not ship and are skipped for them (docs/filters.md);
# dedup shingles their text by character (docs/dedup.md).
NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo", "yue", "wuu", "dz"})
