"""``python -m frnn``: the same as the ``frnn`` command."""

from .cli import main

raise SystemExit(main())
