"""One module per `curate` command, each exposing ``add_parser(subparsers)`` and ``run(args)``.
Heavy imports (Beam, torch) happen inside ``run`` so `curate --help` stays fast and
`curate train` never imports Beam."""
