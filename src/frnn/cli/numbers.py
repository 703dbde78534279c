"""How the command line prints a loss: one format everywhere, so that values read side by
side (``0.000039  0.000650  0.000431``, not ``3.874e-05  0.0006502  0.000431``).

Six decimals, fixed: the losses frnn prints (cross-entropies, mean squared errors) are
compared by eye across epochs, runs and splits, and fixed decimals line up; the exact
values are in metrics.json and history.csv.
"""

from __future__ import annotations

__all__ = ["loss_text"]


def loss_text(value: float, width: int = 0) -> str:
    """``value`` as the command line prints a loss: fixed, six decimals, right-aligned to
    ``width`` characters."""
    return f"{float(value):>{width}.6f}"
