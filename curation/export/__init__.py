"""`curate export`: a build-shards output in the formats other trainers read (docs/export.md).

megatron (Megatron-LM / NeMo indexed dataset), mds (MosaicML Streaming), jsonl and hf (decoded
text or ids). Each format is written here from its published layout; the readers' own libraries
check the files in the tests. Imports only the standard library, numpy, pyarrow and
sentencepiece (through curation.tokenizer). The entry point is curation.export.run.export.
"""
