"""``python -m frnn``: the same as the ``frnn`` command."""

from .cli.main import main

raise SystemExit(main())
