"""Apache Beam pipelines and composite transforms. Every DoFn lives in an importable module of
the installed package and receives its state through its constructor (no save_main_session)."""
