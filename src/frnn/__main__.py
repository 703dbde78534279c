"""``python -m frnn``: the same as the ``frnn`` command."""

from ._entry import main

raise SystemExit(main())
