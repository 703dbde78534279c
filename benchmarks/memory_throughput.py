"""Training throughput of the memory recipe: frnn's engine against torch.nn.RNN, alternated.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/memory_throughput.py [--seconds 2]
        [--repeats 5]

One training step of the recipe on each side: a batch of 32 series, forward, BPTT of the
least-squares loss at the last step, global-norm clipping at 1 and an Adam step; ReLU,
R = I, biases, float64, one thread.  frnn runs ``training.stream``'s own step (through
``train_stream``'s pieces: ``_sequence_gradients``, ``_clip_grad_norm``, ``Adam``); torch
runs nn.RNN + nn.Linear with autograd, ``clip_grad_norm_`` and ``torch.optim.Adam``.  The
two are timed alternately in one process, each for ``--seconds`` per repeat, after a
warm-up; the medians and their ratio are printed with the CPU and numpy's BLAS.

Shapes: the adding problem at T = 200 read raw (D = 2, T = 200 steps) and framed as the
recipe frames it (⌈T/20⌉ = 10 samples a step: D = 20, 20 steps), the adding problem at
T = 400 framed (20 samples a step: D = 40, 20 steps), the digits pixel by pixel framed
(⌈64/20⌉ = 4 pixels a step: D = 4, 16 steps), each with I = 64 hidden units.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

import frnn
from frnn.training import Adam
from frnn.training.steps import _clip_grad_norm, _sequence_gradients

sys.path.insert(0, os.path.dirname(__file__))
from bench_vs_torch import cpu_name  # noqa: E402

SHAPES = {  # name: (T steps, D inputs per step)
    "adding T=200 raw": (200, 2),
    "adding T=200 framed (10)": (20, 20),
    "adding T=400 framed (20)": (20, 40),
    "digits framed (4)": (16, 4),
}
B, I = 32, 64


def frnn_step(T: int, D: int):
    rng = np.random.default_rng(0)
    net = frnn.FullyRecurrentNetwork(
        D, I, 1, activation="relu", loss="mse", scheme="identity", bias=True, rng=0
    )
    x, y, lengths = rng.standard_normal((B, T, D)), rng.standard_normal((B, 1)), np.full(B, T)
    params = {n: getattr(net, n) for n in "WRVbc"}
    optimizer = Adam(1e-3)

    def step():
        _, grads, _, _ = _sequence_gradients(net, x, y, lengths)
        _clip_grad_norm(grads, 1.0)
        optimizer._step(params, grads)

    return step


def torch_step(T: int, D: int):
    rng = np.random.default_rng(0)
    net = frnn.FullyRecurrentNetwork(
        D, I, 1, activation="relu", loss="mse", scheme="identity", bias=True, rng=0
    )
    rnn, head = frnn.to_torch(net)
    rnn.bias_hh_l0.requires_grad_(False)
    params = [p for p in [*rnn.parameters(), *head.parameters()] if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=1e-3)
    x = torch.from_numpy(rng.standard_normal((B, T, D)))
    y = torch.from_numpy(rng.standard_normal((B, 1)))

    def step():
        optimizer.zero_grad()
        loss = 0.5 * ((head(rnn(x)[0][:, -1]) - y) ** 2).sum(1).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()

    return step


def rate(step, seconds: float) -> float:
    """Series per second of ``step`` over about ``seconds``."""
    started, n = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        step()
        n += 1
    return B * n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    blas = np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]
    print(f"CPU {cpu_name()}; numpy BLAS {blas}; torch "
          f"{torch.__version__}; one thread; batch {B}, I = {I}")  # fmt: skip
    print("| shape | frnn series/s | torch nn.RNN series/s | frnn / torch |\n|---|---|---|---|")
    for name, (T, D) in SHAPES.items():
        ours, theirs = frnn_step(T, D), torch_step(T, D)
        ours(), theirs()  # warm-up (numba's compilation, torch's first call)
        a, b = [], []
        for _ in range(args.repeats):
            a.append(rate(ours, args.seconds))
            b.append(rate(theirs, args.seconds))
        fa, fb = statistics.median(a), statistics.median(b)
        print(f"| {name} | {fa:,.0f} | {fb:,.0f} | {fa / fb:.2f} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end (2 cores, shared)")


if __name__ == "__main__":
    main()
