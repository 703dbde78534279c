"""Adam's update of one parameter in one compiled pass (numba): the training loop's step.

numpy runs the update as about ten passes over each parameter, each a call of a
microsecond or more and most with a temporary array; for the estimators' networks (64
units: W, R, V, b, c of 8 to 4,096 numbers) those calls were a tenth of a training step.
Here every element goes through the same operations in the same order as
:meth:`frnn.training.Adam._step`'s numpy passes, each rounded once in the arrays' dtype
(no fastmath: nothing is contracted into a fused multiply-add or reordered), so the
parameters and moments are the same bits.  ``optimizers`` imports this module on first use
and runs numpy's passes where numba is unusable.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# numba caches the loop by this file's text alone; this file imports nothing from frnn
# (tests/engine/test_cache_stamps.py checks the digest of those imports: none)
IMPORTS_DIGEST = "e3b0c44298fc1c14"


@njit(cache=True, nogil=True, error_model="numpy")
def adam_update(p, g, m, v, scaled, scale, decay, decays, beta1c, beta2, beta2c, c2, eps, step):
    """Move p by Adam's rule from its gradient g, updating the moments m and v in place.

    p, g, m, v : C-contiguous arrays of one shape and one dtype (the caller checks), p, m
    and v writeable; every number is in that dtype.  Per element, as the numpy passes
    compute it:

        g ← g · scale (if ``scaled``: the clipping factor),  g ← g + decay · p (if ``decays``)
        m ← m + beta1c · (g − m),   v ← v · beta2,   v ← v + beta2c · (g · g)
        p ← p − step · (m / (√v / c2 + eps))

    with beta1c = 1 − β1, beta2c = 1 − β2, c2 = √(1 − β2ᵗ), step = η·factor / (1 − β1ᵗ).
    """
    p1, g1, m1, v1 = p.reshape(p.size), g.reshape(g.size), m.reshape(m.size), v.reshape(v.size)
    for i in range(p1.size):
        gi = g1[i]
        if scaled:
            gi = gi * scale
        if decays:
            gi = gi + decay * p1[i]
        mi = m1[i] + beta1c * (gi - m1[i])
        m1[i] = mi
        vi = v1[i] * beta2
        vi = vi + beta2c * (gi * gi)
        v1[i] = vi
        p1[i] = p1[i] - step * (mi / (np.sqrt(vi) / c2 + eps))
