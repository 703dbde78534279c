"""Compiled reservoir features (numba): one reservoir's states pooled as they are computed.

For each series the loop runs

    s(t) = W u(t) + b + R a(t−1),   a(t) = tanh(s(t)),   a(0) = 0

over the reservoir's windows u(t) (``core.windows``: step t reads the samples
t·stride + j·spacing, j < taps, zero past the series' end) and adds a(t) and [s(t) > θ] to
running sums: no (T', I) array of states is stored, so one pass over the series is one
compiled call and memory is O(I) per series.  ``core.run`` followed by ``core.pool`` is the
plain path that computes the same features (tests/reservoir/test_reservoir_kernels.py holds them
together to round-off; the PPV compares with > as ``pool`` does).

tanh is the engine's ``tanh_fast`` (:mod:`frnn.engine.kernel_math`), written out in
arithmetic so that the loop over a row of series vectorises: in float32 Eigen's rational
form, within 7 ulp in 0.64 of the time of the engine's 2-ulp ``tanh`` (a fit of the
counts task spent 10% longer in this loop with that one).  Every constant carries the
arrays' dtype, so float32 states are computed in float32.  The pooled loop takes the
engine's one fast-math liberty (``FMA``: a·b + c may be one fused multiply-add): numba
inlines tanh and the helpers below into it and compiles them with its flags.
``pre_activations`` takes none, so that s(t) there is the plain sum that ``pooled`` also
forms where R = 0 and one tap (a tie the PPV test puts θ on).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..engine.kernel_math import FMA
from ..engine.kernel_math import tanh_fast as _tanh
from ..engine.target import VECTOR_REGISTERS
from .pooling import GROUP, STATISTICS

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "427d407c81b16dc2"

__all__ = ["CODES", "pooled", "pre_activations"]

#: The statistics' codes in the compiled loop: their places in ``pooling.STATISTICS``
#: (mean 0, max 1, last 2, ppv 3, ramp 4, mpv 5, mipv 6, lspv 7, wins 8, losses 9).
CODES = {name: code for code, name in enumerate(STATISTICS)}
_N_CODES = len(STATISTICS)
BLOCK = 128  # series run side by side, one per vector lane
LANES = 16  # a block's width is a multiple of this: float32 vectors of 512 bits
# Two rows of S a pass over Z where its 16 weights, 8 rows of Z and 2 sums fit the vector
# registers (AVX-512's 32): the loop then loads each z once for two multiply-adds, not
# one; with 16 registers the weights spill and the pass is slower than one row at a time
# (features of 200 series of 427 steps, float32: 0.89x the time with AVX-512 compiled
# 512 bits wide, 0.95x 256 bits wide, 1.09x with AVX2).  The sums are the same either way.
PAIRS = VECTOR_REGISTERS >= 32
# With AVX-512, PPV counts are kept in int16 (half the memory a step sweeps: 0.96x the
# time; with AVX2 1.01-1.03x, the comparisons' masks packed to 16 bits) and added into
# int32 ones every FLUSH steps, before a count could pass int16's 32,767.
RECENT = np.int16 if PAIRS else np.int32
FLUSH = 2**15 - 1


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _block(xt, lengths, rows, stride, I, taps):
    """A block's buffers: the steps (B,) of its series (decreasing), Z (I + taps·D, width)
    holding a(t−1) over u(t), zero, S (I, width), and a spare row (width,)."""
    B = rows.shape[0]
    steps = (lengths[rows] + stride - 1) // stride
    wide = -(-B // LANES) * LANES  # whole vectors: no loop ends on a remainder
    Z = np.zeros((I + taps * xt.shape[1], wide), dtype=xt.dtype)
    return steps, Z, np.zeros((I, wide), dtype=xt.dtype), np.zeros(wide, dtype=xt.dtype)


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _step(xt, start, t, n, M, b, taps, spacing, stride, Z, S, spare):
    """One step of the block's first n series (those still running: the block is sorted by
    length): S ← W u(t) + b + R a(t−1), then a(t) = tanh(S) into Z's first I rows.

    States are columns: Z (I + taps·D, width) stacks a(t−1) (I rows) over the window u(t)
    (taps·D rows), so one product S = [R W] Z runs the whole block, and every loop below
    runs along a row of series, long enough to vectorise whatever I is.  The product is
    written out (not BLAS) so that each series' sums run in the same order wherever it
    sits in the block: a series' features do not depend on the others beside it.
    """
    I, T, D = b.shape[0], xt.shape[0], xt.shape[1]
    zero = b[0] - b[0]
    for tap in range(taps):
        index = t * stride + tap * spacing
        for d in range(D):
            u = Z[I + tap * D + d]  # (width,)
            if index < T:  # the block's samples side by side (zero past each series' end)
                samples = xt[index, d, start : start + n]
                for r in range(n):
                    u[r] = samples[r]
            else:
                for r in range(n):
                    u[r] = zero
    K = Z.shape[0]
    # Whole vectors: a block's width is a multiple of LANES, and series that have ended
    # run on beside the others (their pooling stopped; their state is never read again).
    n = min(-(-n // LANES) * LANES, Z.shape[1])
    pairs = I - I % 2 if PAIRS else 0
    for j in range(0, pairs, 2):  # S = b + [R W] Z, summed in one order for every series
        # Row j + 1 is summed into the spare row and copied: with both rows in S, the
        # compiler could not tell them apart and left the loop unvectorised.
        _two_rows(M, b, Z, S[j], spare, j, n, K)
        t1 = S[j + 1]
        for r in range(n):
            t1[r] = spare[r]
    for j in range(pairs, I):
        _one_row(M, b, Z, S[j], j, n, K)
    for j in range(I):
        s, a = S[j], Z[j]
        for r in range(n):
            a[r] = _tanh(s[r])


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _one_row(M, b, Z, s, j, n, K):
    """s = b[j] + M[j] Z over the first n series: Z's rows eight at a time (two sums of
    four), then four, then one; :func:`_two_rows` sums in the same order."""
    four, eight = K - K % 4, K - K % 8
    bj = b[j]
    for r in range(n):
        s[r] = bj
    for m in range(0, eight, 8):
        w0, w1, w2, w3 = M[j, m], M[j, m + 1], M[j, m + 2], M[j, m + 3]
        w4, w5, w6, w7 = M[j, m + 4], M[j, m + 5], M[j, m + 6], M[j, m + 7]
        z0, z1, z2, z3 = Z[m], Z[m + 1], Z[m + 2], Z[m + 3]
        z4, z5, z6, z7 = Z[m + 4], Z[m + 5], Z[m + 6], Z[m + 7]
        for r in range(n):
            s[r] += (w0 * z0[r] + w1 * z1[r] + w2 * z2[r] + w3 * z3[r]) + (
                w4 * z4[r] + w5 * z5[r] + w6 * z6[r] + w7 * z7[r]
            )
    for m in range(eight, four, 4):  # four rows of Z at a time: a quarter of the stores
        w0, w1, w2, w3 = M[j, m], M[j, m + 1], M[j, m + 2], M[j, m + 3]
        z0, z1, z2, z3 = Z[m], Z[m + 1], Z[m + 2], Z[m + 3]
        for r in range(n):
            s[r] += w0 * z0[r] + w1 * z1[r] + w2 * z2[r] + w3 * z3[r]
    for m in range(four, K):
        weight, z = M[j, m], Z[m]
        for r in range(n):
            s[r] += weight * z[r]


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _two_rows(M, b, Z, s, t, j, n, K):
    """s = b[j] + M[j] Z and t = b[j + 1] + M[j + 1] Z, each summed as :func:`_one_row`
    sums, in one pass over Z: each z(r) loaded once for both (s, t: (width,) rows that
    are not Z's)."""
    four, eight = K - K % 4, K - K % 8
    bj, bk = b[j], b[j + 1]
    for r in range(n):
        s[r] = bj
        t[r] = bk
    for m in range(0, eight, 8):
        w0, w1, w2, w3 = M[j, m], M[j, m + 1], M[j, m + 2], M[j, m + 3]
        w4, w5, w6, w7 = M[j, m + 4], M[j, m + 5], M[j, m + 6], M[j, m + 7]
        v0, v1, v2, v3 = M[j + 1, m], M[j + 1, m + 1], M[j + 1, m + 2], M[j + 1, m + 3]
        v4, v5, v6, v7 = M[j + 1, m + 4], M[j + 1, m + 5], M[j + 1, m + 6], M[j + 1, m + 7]
        z0, z1, z2, z3 = Z[m], Z[m + 1], Z[m + 2], Z[m + 3]
        z4, z5, z6, z7 = Z[m + 4], Z[m + 5], Z[m + 6], Z[m + 7]
        for r in range(n):
            y0, y1, y2, y3 = z0[r], z1[r], z2[r], z3[r]
            y4, y5, y6, y7 = z4[r], z5[r], z6[r], z7[r]
            s[r] += (w0 * y0 + w1 * y1 + w2 * y2 + w3 * y3) + (
                w4 * y4 + w5 * y5 + w6 * y6 + w7 * y7
            )
            t[r] += (v0 * y0 + v1 * y1 + v2 * y2 + v3 * y3) + (
                v4 * y4 + v5 * y5 + v6 * y6 + v7 * y7
            )
    for m in range(eight, four, 4):
        w0, w1, w2, w3 = M[j, m], M[j, m + 1], M[j, m + 2], M[j, m + 3]
        v0, v1, v2, v3 = M[j + 1, m], M[j + 1, m + 1], M[j + 1, m + 2], M[j + 1, m + 3]
        z0, z1, z2, z3 = Z[m], Z[m + 1], Z[m + 2], Z[m + 3]
        for r in range(n):
            y0, y1, y2, y3 = z0[r], z1[r], z2[r], z3[r]
            s[r] += w0 * y0 + w1 * y1 + w2 * y2 + w3 * y3
            t[r] += v0 * y0 + v1 * y1 + v2 * y2 + v3 * y3
    for m in range(four, K):
        weight, other, z = M[j, m], M[j + 1, m], Z[m]
        for r in range(n):
            s[r] += weight * z[r]
            t[r] += other * z[r]


@njit(cache=True, error_model="numpy", nogil=True, fastmath=FMA)
def pooled(xt, lengths, order, M, b, thetaT, taps, spacing, stride, codes, out, first, wout):
    """Fill out (n, p) with each series' pooled statistics, in the order of ``codes``, and
    wout (n, p), if it has rows, with those of a window of the same run.

    xt (T, D, n) the series side by side in ``order`` (n,), which sorts them by decreasing
    length, zero past each one's end (``core.side_by_side``); lengths (n,) in [1, T];
    M (I, I + taps·D) = [R W], b (I,), thetaT (k, I) = θᵀ; codes from ``CODES``;
    p = Σ I (I·k for "ppv").  Series run in blocks of ``BLOCK``, side by side.  The sums of
    the means are float64 whatever the dtype; PPV counts are integers.

    The window of series i is its steps [first[i], steps_i) of this run (first (n,), each
    below the series' steps; unread where wout has no rows): its states carry what came
    before it.  Its statistics are the run's less a snapshot taken as the window opens
    (the sums, the counts, the ranks), or kept from then on (the max, whose value before
    the window is set aside; the stretches, and the sums of (s − θ)⁺ and t·[s > θ]), each
    re-based to the window's steps.  A window from step 0 is the whole series: its
    features are ``out``'s, bit for bit.
    """
    n, I, k = xt.shape[2], b.shape[0], thetaT.shape[0]
    want = np.zeros(_N_CODES, dtype=np.bool_)
    for code in codes:
        want[code] = True
    beyond = want[5] or want[6] or want[7]  # per-threshold statistics beyond the count
    windowed = wout.shape[0] > 0
    for start in range(0, n, BLOCK):
        rows = order[start : start + BLOCK]
        B = rows.shape[0]
        steps, Z, S, spare = _block(xt, lengths, rows, stride, I, taps)
        opens = first[rows] if windowed else np.full(B, -1, dtype=np.intp)  # (B,)
        before, counted, ranked, prefix, wabove = _window_buffers(
            B if windowed else 0, I, k, want, xt.dtype
        )
        sums = np.zeros((3, I, B))  # Σ a(t), Σ t·a(t) (float64), max a(t) (at the end)
        # max a(t) so far, in two buffers that the steps read and write in turn: a loop
        # that wrote max(m[r], a[r]) back into m compiles, without AVX-512, to a masked
        # store, which AMD's CPUs run slowly (0.44-0.58 against 0.04 ns a value, this
        # Zen 4 compiled for Zen 2, Zen 3 or Haswell; 0.09 against 0.05 with AVX-512).
        # Series r's maximum is in buffer steps[r] & 1, written at its last step.
        maxima = np.full((2, I if want[1] else 0, B), -np.inf, dtype=xt.dtype)
        last = np.empty((I, B), dtype=xt.dtype)
        counts = np.zeros((k, I, B), dtype=np.int32)
        recent = np.zeros((k, I, B), dtype=RECENT)  # the counts since the last FLUSH
        # Σ (s − θ)⁺, Σ t·[s > θ], the longest stretch and the current one (s > θ)
        above = np.zeros((4, k if beyond else 0, I, B))
        ranks = np.zeros((2, I if want[8] or want[9] else 0, B), dtype=np.int32)  # wins, losses
        best = np.empty(S.shape[1], dtype=S.dtype)
        n_run = B
        for t in range(steps[0]):
            while steps[n_run - 1] <= t:  # the shortest series have ended
                n_run -= 1
            if windowed:
                _open(t, opens, n_run, sums, recent, counts, ranks, maxima, before, counted,
                      ranked, prefix, wabove)  # fmt: skip
            _step(xt, start, t, n_run, M, b, taps, spacing, stride, Z, S, spare)
            for j in range(I):
                a, s = Z[j], S[j]
                if want[0] or want[4]:
                    for r in range(n_run):
                        sums[0, j, r] += a[r]
                        sums[1, j, r] += t * a[r]
                if want[1]:
                    was, now = maxima[t & 1, j], maxima[(t & 1) ^ 1, j]
                    for r in range(n_run):
                        now[r] = max(was[r], a[r])
                if want[3] or beyond:
                    for q in range(k):
                        theta, count = thetaT[q, j], recent[q, j]
                        for r in range(n_run):
                            count[r] += s[r] > theta
                if beyond:
                    _above(s, thetaT[:, j], t, n_run, above[:, :, j])
                    if windowed:  # zero until each window opens (_open)
                        _above(s, thetaT[:, j], t, n_run, wabove[:, :, j])
            if want[8] or want[9]:
                _compete(S, b, n_run, ranks, want[8], want[9], best)
            if want[2]:
                for r in range(n_run):
                    if steps[r] == t + 1:
                        last[:, r] = Z[:I, r]
            if (t + 1) % FLUSH == 0:
                _flush(recent, counts)
        _flush(recent, counts)
        for r in range(B):
            if want[1]:
                sums[2, :, r] = maxima[steps[r] & 1, :, r]
                if windowed:  # the max since the window opened, and the series' own
                    for j in range(I):
                        before[2, j, r] = sums[2, j, r]
                        sums[2, j, r] = max(sums[2, j, r], prefix[j, r])
            _write(out[rows[r]], codes, sums[:, :, r], last[:, r], counts[:, :, r],
                   above[:, :, :, r], ranks[:, :, r], steps[r])  # fmt: skip
            if windowed:
                _write_window(wout[rows[r]], codes, opens[r], steps[r], sums[:, :, r],
                              last[:, r], counts[:, :, r], ranks[:, :, r], before[:, :, r],
                              counted[:, :, r], ranked[:, :, r], wabove[:, :, :, r])  # fmt: skip
    return out


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _window_buffers(B, I, k, want, dtype):
    """The windows' buffers of a block of B series (0: no windows): what the run had as
    each window opened (Σ a and Σ t·a (3, I, B), the third row the window's max at the
    end; the counts (k, I, B); the ranks (2, I, B); the max a(t) before the window (I, B),
    whose running max then starts afresh), and the statistics of s > θ summed from then
    on (4, k, I, B)."""
    beyond = want[5] or want[6] or want[7]
    ranked = I if want[8] or want[9] else 0
    return (
        np.zeros((3, I, B)),
        np.zeros((k, I, B), dtype=np.int32),
        np.zeros((2, ranked, B), dtype=np.int32),
        np.full((I if want[1] else 0, B), -np.inf, dtype=dtype),
        np.zeros((4, k if beyond else 0, I, B)),
    )


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _write_window(out, codes, first, steps, sums, last, counts, ranks, before, counted,
                  ranked, above):  # fmt: skip
    """One series' features over its window [first, steps) (``_write``'s, from the run's
    totals less what they were as the window opened, each re-based to the window's steps:
    Σ (t − first)·a(t) and Σ (t − first)·[s > θ]; before[2] holds the window's max)."""
    window = before  # (3, I): the sums before the window become the window's own
    k, I = counts.shape
    for j in range(I):
        window[0, j] = sums[0, j] - before[0, j]
        window[1, j] = sums[1, j] - before[1, j] - first * window[0, j]
        for q in range(k):  # and the counts before it the counts in it (no temporaries)
            counted[q, j] = counts[q, j] - counted[q, j]
            if above.shape[1]:
                above[1, q, j] -= first * counted[q, j]
        for side in range(ranked.shape[0] if ranked.shape[1] else 0):
            ranked[side, j] = ranks[side, j] - ranked[side, j]
    _write(out, codes, window, last, counted, above, ranked, steps - first)


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _open(t, opens, n, sums, recent, counts, ranks, maxima, before, counted, ranked, prefix,
          wabove):  # fmt: skip
    """Open the windows that start at step t (of the block's first n series): keep the
    sums, counts and ranks so far (the recent counts flushed into the int32 ones first, for
    every series: a sum of integers, the same whenever it is added), and the max so far
    (in the buffer step t reads), which then starts afresh at -inf: from there it is the
    window's, and the series' is the larger of the two (exact).  The window's statistics
    of s > θ start at zero.  A snapshot that took the int32 counts without the flush
    would miss the recent ones."""
    opening = False
    for r in range(n):
        opening |= opens[r] == t
    if not opening:
        return
    _flush(recent, counts)
    for r in range(n):
        if opens[r] == t:
            before[0, :, r] = sums[0, :, r]
            before[1, :, r] = sums[1, :, r]
            counted[:, :, r] = counts[:, :, r]
            ranked[:, :, r] = ranks[:, :, r]
            if prefix.shape[0]:
                prefix[:, r] = maxima[t & 1, :, r]
                maxima[t & 1, :, r] = -np.inf
            wabove[:, :, :, r] = 0.0


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _flush(recent, counts):
    """Add the recent counts (``RECENT``: int16 with AVX-512) into the int32 ones (both
    (k, I, B)) and zero them."""
    for q in range(recent.shape[0]):
        for j in range(recent.shape[1]):
            into, since = counts[q, j], recent[q, j]
            for r in range(recent.shape[2]):
                into[r] += since[r]
                since[r] = 0


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _above(s, theta, t, n, above):
    """One unit's step for the statistics of s(t) > θ (MultiRocket's MPV, MIPV, LSPV):
    above (4, k, B) holds Σ (s − θ)⁺, Σ t·[s > θ], the longest stretch of s > θ and the
    stretch now running, per threshold θ (k,) and series (the first n run)."""
    for q in range(theta.shape[0]):
        th = theta[q]
        excess, index, longest, now = above[0, q], above[1, q], above[2, q], above[3, q]
        for r in range(n):
            positive = s[r] > th
            excess[r] += (s[r] - th) if positive else 0.0
            index[r] += t if positive else 0.0
            now[r] = (now[r] + 1.0) if positive else 0.0
            longest[r] = max(longest[r], now[r])


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _compete(S, b, n, ranks, wins, losses, best):
    """Hydra's counting within groups of ``GROUP`` consecutive units: ranks[0] counts the
    steps on which a unit's s(t) − b equals its group's largest, ranks[1] its smallest
    (best (width,) a buffer)."""
    I = ranks.shape[1]
    for g0 in range(0, I, GROUP):
        g1 = min(g0 + GROUP, I)
        for side in range(2):
            if (side == 0 and not wins) or (side == 1 and not losses):
                continue
            bj = b[g0]
            for r in range(n):
                best[r] = S[g0, r] - bj
            for j in range(g0 + 1, g1):
                s, bj = S[j], b[j]
                if side == 0:
                    for r in range(n):
                        best[r] = max(best[r], s[r] - bj)
                else:
                    for r in range(n):
                        best[r] = min(best[r], s[r] - bj)
            for j in range(g0, g1):
                s, count, bj = S[j], ranks[side, j], b[j]
                for r in range(n):
                    count[r] += (s[r] - bj) == best[r]


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def _write(out, codes, sums, last, counts, above, ranks, steps):
    """One series' features, in the order of ``codes`` (per threshold unit-major, as ``pool``).

    ramp: Σ r(t) a(t) / steps with r(t) = (2t + 1)/steps − 1, from Σ a and Σ t·a.
    mpv: Σ (s − θ)⁺ / #{s > θ} (0 if s never exceeds θ); mipv: the mean of (t + ½)/steps
    over the steps with s > θ, in (0, 1) (−1 if none); lspv: the longest stretch / steps.
    """
    k, I = counts.shape
    column = 0
    for code in codes:
        for j in range(I):
            if code == 0:
                out[column + j] = sums[0, j] / steps
            elif code == 1:
                out[column + j] = sums[2, j]
            elif code == 2:
                out[column + j] = last[j]
            elif code == 4:
                out[column + j] = ((2.0 * sums[1, j] + sums[0, j]) / steps - sums[0, j]) / steps
            elif code == 8 or code == 9:
                out[column + j] = ranks[code - 8, j] / steps
            else:
                for q in range(k):
                    c = counts[q, j]
                    if code == 3:
                        value = c / steps
                    elif code == 5:
                        value = above[0, q, j] / c if c else 0.0
                    elif code == 6:
                        value = (above[1, q, j] / c + 0.5) / steps if c else -1.0
                    else:
                        value = above[2, q, j] / steps
                    out[column + j * k + q] = value
        column += I * k if code in (3, 5, 6, 7) else I


@njit(cache=True, error_model="numpy", nogil=True)
def pre_activations(x, lengths, MT, b, taps, spacing, stride, out):
    """Fill out (n, T', I) with s(t) of each series, zero past its steps: the thresholds'
    source, a few series at a time, so one series after another with the units as the
    vector (MT (I + taps·D, I) = [R W]ᵀ; the rest as :func:`pooled`'s)."""
    n, I, D = x.shape[0], b.shape[0], x.shape[2]
    zero = b[0] - b[0]
    out[:] = zero
    a = np.empty(I, dtype=b.dtype)
    for i in range(n):
        L = lengths[i]
        a[:] = zero
        for t in range((L + stride - 1) // stride):
            s = out[i, t]
            for j in range(I):
                s[j] = b[j]
            # + R a(t−1), eight terms a pass over s, each added in turn as one a pass
            # would: the same sums in 0.57-0.73 of the time (a pass of 32 units is shorter
            # than the compiler's vector loop, whose remainder then ran, once per term).
            eight = I - I % 8
            for m in range(0, eight, 8):
                a0, a1, a2, a3 = a[m], a[m + 1], a[m + 2], a[m + 3]
                a4, a5, a6, a7 = a[m + 4], a[m + 5], a[m + 6], a[m + 7]
                w0, w1, w2, w3 = MT[m], MT[m + 1], MT[m + 2], MT[m + 3]
                w4, w5, w6, w7 = MT[m + 4], MT[m + 5], MT[m + 6], MT[m + 7]
                for j in range(I):
                    first = (((s[j] + a0 * w0[j]) + a1 * w1[j]) + a2 * w2[j]) + a3 * w3[j]
                    s[j] = (((first + a4 * w4[j]) + a5 * w5[j]) + a6 * w6[j]) + a7 * w7[j]
            for m in range(eight, I):
                am = a[m]
                for j in range(I):
                    s[j] += am * MT[m, j]
            for tap in range(taps):  # + W u(t), zero past the series' end
                index = t * stride + tap * spacing
                if index < L:
                    for d in range(D):
                        v, row = x[i, index, d], I + tap * D + d
                        for j in range(I):
                            s[j] += v * MT[row, j]
            for j in range(I):
                a[j] = _tanh(s[j])
    return out
