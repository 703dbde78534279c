"""frnn against PyTorch's nn.RNN on the CPU: one training step, side by side.

    python benchmarks/bench_vs_torch.py            # the README's table (a few minutes)
    python benchmarks/bench_vs_torch.py --quick    # a smoke run (seconds)

One step is forward + BPTT of a many-to-one BCE loss, tanh, no bias, K = 1.  torch runs
nn.RNN(bias=False) + nn.Linear(bias=False) + autograd with the same weights and data, with
as many threads as numpy's BLAS (frnn's compiled loops are single-threaded).  The two are
timed alternately in one process after a warm-up (numba's compilation included there), and
medians are reported.  GFLOP/s counts the step's multiply-adds, 2·T·B·I·(2D + 3I) + 4·B·I·K,
against numpy's 1024×1024 matmul; memory is tracemalloc's peak during a step, in units of
the floor B·T·I values that BPTT must keep.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import tracemalloc
import types

import numpy as np
import torch

import frnn
from frnn import _fast

SIZES = {  # name: (B, T, D, I)
    "tiny": (1, 100, 3, 5),
    "small": (32, 100, 8, 32),
    "medium": (64, 200, 16, 128),
    "large": (256, 100, 32, 256),
}
GOALS = {"tiny": 20.0, "small": 3.0, "medium": 1.2, "large": 1.2}
PEAK_GOAL, MEMORY_GOAL = 0.60, 1.5
DTYPES = {"float64": (np.float64, torch.float64), "float32": (np.float32, torch.float32)}


def blas_threads() -> tuple[int, str]:
    """The threads numpy's BLAS uses and a description of it (threadpoolctl if present)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1, "BLAS unknown (install threadpoolctl to see it)"
    for pool in threadpool_info():
        if pool["user_api"] == "blas":
            name = f"{pool['internal_api']} {pool['version']} ({pool.get('architecture')} kernels)"
            return pool["num_threads"], name
    return os.cpu_count() or 1, "BLAS not found"


def limit_threads(n: int):
    """Limit numpy's BLAS to ``n`` threads (kept alive by the caller); torch likewise."""
    torch.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=n, user_api="blas")


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns: dict, seconds: float, min_repeats: int = 5) -> dict[str, float]:
    """Median seconds of each function, run in turn so that load hits them alike."""
    estimate = max(median_time(fn, 3) for fn in fns.values())
    repeats = int(min(2000, max(min_repeats, seconds / max(estimate, 1e-7) / len(fns))))
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def matmul_peak(dtype, seconds: float) -> float:
    """GFLOP/s of numpy's 1024×1024 matrix product."""
    rng = np.random.default_rng(0)
    a, b = rng.random((1024, 1024)).astype(dtype), rng.random((1024, 1024)).astype(dtype)
    a @ b
    return 2 * 1024**3 / median_time(lambda: a @ b, max(5, int(seconds / 0.02))) / 1e9


class Problem:
    """One size and dtype: a frnn model and its torch twin with the same weights and data."""

    def __init__(self, B, T, D, I, dtype, tdtype):
        self.floor = B * T * I * np.dtype(dtype).itemsize  # bytes of the states a(t)
        self.flops = 2 * T * B * I * (2 * D + 3 * I) + 4 * B * I
        self.model = frnn.init(types.SimpleNamespace(), D, I, 1, rng=0, dtype=dtype)
        rng = np.random.default_rng(1)
        self.x = rng.standard_normal((B, T, D)).astype(dtype)
        self.y = (rng.random(B) < 0.5).astype(dtype)
        self.rnn = torch.nn.RNN(D, I, bias=False, batch_first=True).to(tdtype)
        self.linear = torch.nn.Linear(I, 1, bias=False).to(tdtype)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(self.model.W))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(self.model.R))
            self.linear.weight.copy_(torch.from_numpy(self.model.V))
        self.xt, self.yt = torch.from_numpy(self.x), torch.from_numpy(self.y)
        self.engine = _fast.choose("auto", B, D, I)

    def frnn_step(self):
        frnn.forward(self.model, self.x, self.y)
        return frnn.backward(self.model)

    def frnn_forward(self):
        return frnn.forward(self.model, self.x, self.y)

    def _torch_loss(self):
        states, _ = self.rnn(self.xt)  # (B, T, I)
        z = self.linear(states[:, -1]).squeeze(1)  # (B,)
        return torch.nn.functional.binary_cross_entropy_with_logits(z, self.yt)

    def torch_step(self):
        for p in (*self.rnn.parameters(), *self.linear.parameters()):
            p.grad = None
        loss = self._torch_loss()
        loss.backward()
        return loss

    def torch_forward(self):
        with torch.no_grad():
            return self._torch_loss()

    def agreement(self) -> float:
        """Largest relative difference of the gradients: the two compute the same step."""
        grads = self.frnn_step()
        self.torch_step()
        pairs = ((grads["W"], self.rnn.weight_ih_l0), (grads["R"], self.rnn.weight_hh_l0),
                 (grads["V"], self.linear.weight))
        return max(float(np.abs(g - p.grad.numpy()).max() / np.abs(g).max()) for g, p in pairs)

    def peak_memory(self) -> float:
        """tracemalloc's peak over one training step (after one step), in floors."""
        self.frnn_step()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        self.frnn_step()
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        return peak / self.floor


def measure(name, dtype_name, seconds, peaks) -> dict:
    B, T, D, I = SIZES[name]
    problem = Problem(B, T, D, I, *DTYPES[dtype_name])
    agreement = problem.agreement()  # also the warm-up: numba compiles here
    for _ in range(2):
        problem.frnn_step(), problem.torch_step()
    step = interleaved({"frnn": problem.frnn_step, "torch": problem.torch_step}, seconds)
    fwd = interleaved({"frnn": problem.frnn_forward, "torch": problem.torch_forward},
                      seconds / 2)
    gflops = problem.flops / step["frnn"] / 1e9
    return {
        "size": name, "shape": (B, T, D, I), "dtype": dtype_name, "engine": problem.engine,
        "frnn": step["frnn"], "torch": step["torch"], "speedup": step["torch"] / step["frnn"],
        "gflops": gflops, "peak": gflops / peaks[dtype_name],
        "fwd_speedup": fwd["torch"] / fwd["frnn"], "memory": problem.peak_memory(),
        "agreement": agreement,
    }


HEADER = (f"{'size':7} {'(B, T, D, I)':18} {'dtype':8} {'engine':6} {'frnn ms':>9} "
          f"{'torch ms':>9} {'speedup':>8} {'GFLOP/s':>8} {'% peak':>7} {'fwd speedup':>12} "
          f"{'mem/floor':>10} {'grad diff':>10}")


def row(r: dict) -> str:
    return (f"{r['size']:7} {str(r['shape']):18} {r['dtype']:8} {r['engine']:6} "
            f"{r['frnn'] * 1e3:9.3f} {r['torch'] * 1e3:9.3f} {r['speedup']:7.2f}x "
            f"{r['gflops']:8.2f} {r['peak']:7.0%} {r['fwd_speedup']:11.2f}x "
            f"{r['memory']:10.2f} {r['agreement']:10.1e}")


def verdicts(results: list[dict]) -> list[str]:
    lines = []
    for name, goal in GOALS.items():
        got = [r for r in results if r["size"] == name]
        if not got:
            continue
        speed = ", ".join(f"{r['dtype']} {r['speedup']:.2f}x" for r in got)
        met = all(r["speedup"] >= goal for r in got)
        lines.append(f"{name:7} speedup >= {goal:g}x: {'met' if met else 'NOT met'} ({speed})")
        if name == "large":
            share = ", ".join(f"{r['dtype']} {r['peak']:.0%}" for r in got)
            met = all(r["peak"] >= PEAK_GOAL for r in got)
            lines.append(f"{name:7} >= {PEAK_GOAL:.0%} of matmul peak: "
                         f"{'met' if met else 'NOT met'} ({share})")
    worst = max(results, key=lambda r: r["memory"])
    lines.append(f"memory <= {MEMORY_GOAL:g}x floor: "
                 f"{'met' if worst['memory'] <= MEMORY_GOAL else 'NOT met'} (worst "
                 f"{worst['memory']:.2f}x at {worst['size']} {worst['dtype']})")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numpy's BLAS and torch (default: numpy's BLAS count)")
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated sizes")
    parser.add_argument("--seconds", type=float, default=None,
                        help="timing budget per size, dtype and library (default 4, quick 0.3)")
    args = parser.parse_args(argv)
    default_threads, blas = blas_threads()
    threads = args.threads or default_threads
    limiter = limit_threads(threads)  # noqa: F841  (kept alive: the limit lasts while it does)
    seconds = args.seconds or (0.3 if args.quick else 4.0)
    numba = _fast.numba_kernels()
    print(f"frnn {frnn.__version__} vs torch {torch.__version__}: one training step (forward + "
          f"BPTT), many-to-one BCE, tanh, no bias, K = 1")
    print(f"machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
          f"numpy {np.__version__} with {blas}; threads: {threads} (numpy BLAS and torch); "
          f"numba: {numba.numba_version if numba else 'unavailable'}")
    peaks = {d: matmul_peak(DTYPES[d][0], 0.5 if args.quick else 2.0) for d in DTYPES}
    print("matmul peak (numpy 1024x1024): "
          + ", ".join(f"{d} {p:.1f} GFLOP/s" for d, p in peaks.items()))
    print(f"timing: medians of interleaved runs, about {seconds:g} s per size, dtype and "
          f"library, after a warm-up\n")
    print(HEADER)
    results = []
    for name in args.sizes.split(","):
        for dtype_name in DTYPES:
            results.append(measure(name, dtype_name, seconds, peaks))
            print(row(results[-1]), flush=True)
    print("\nspeedup = torch time / frnn time (training step); fwd speedup: forward only "
          "(torch under no_grad); mem/floor: tracemalloc peak of a frnn step / (B·T·I values); "
          "grad diff: max relative difference of frnn's and torch's gradients")
    print("\n".join(["", "goals:", *verdicts(results)]))


if __name__ == "__main__":
    main()
