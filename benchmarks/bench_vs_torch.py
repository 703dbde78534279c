"""frnn against PyTorch's nn.RNN on the CPU: one training step, side by side.

    python benchmarks/bench_vs_torch.py            # both tables, 1 and 2 threads (~5 min)
    python benchmarks/bench_vs_torch.py --threads 2  # one thread count
    python benchmarks/bench_vs_torch.py --quick    # a smoke run (seconds)
    python benchmarks/bench_vs_torch.py --bias     # with the biases b and c on both sides
    python benchmarks/bench_vs_torch.py --bias-cost  # the speedup with and without biases
    python benchmarks/bench_vs_torch.py --isa avx2  # as on a CPU without AVX-512

One step is forward + BPTT of a many-to-one BCE loss, tanh, no bias (with ``--bias``: b and
c), K = 1.  torch runs nn.RNN + nn.Linear with the same ``bias`` + autograd (with biases,
nn.RNN's bias_hh is zero and bias_ih = b) with the same weights and data, both libraries
on the same number of threads (numpy's and scipy's BLAS, hence frnn's row blocks, and
torch's).  The two are timed alternately in one process after a warm-up (numba's
compilation included there), and medians are reported.  The header names the CPU and the
BLAS each library runs on, and the load average before and after each table; the goals
of issue 22 are checked at the end of each table.  GFLOP/s counts the step's
multiply-adds, 2·T·B·I·(2D + 3I) + 4·B·I·K, against the best sample of numpy's 1024×1024
matmul on as many threads (timed after each size); memory is tracemalloc's peak during a
step, in units of the floor B·T·I values that BPTT must keep.

``--isa avx2`` runs every library's AVX2 code on a CPU with AVX-512, as a CPU without it
(AMD before Zen 4, Intel before Skylake-SP) runs: OpenBLAS's Haswell kernels, which have no
small-matrix path, numba compiling for Zen 3, MKL and torch's own kernels held to AVX2
(``isa.py``: the script runs itself again in that environment).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
import types

import numpy as np
import torch
from isa import describe, run_as_avx2

import frnn
from frnn.engine import compiled, dispatch, threads

SIZES = {  # name: (B, T, D, I)
    "tiny": (1, 100, 3, 5),
    "small": (32, 100, 8, 32),
    "medium": (64, 200, 16, 128),
    "large": (256, 100, 32, 256),
}
GOALS = {"tiny": 20.0, "small": 6.0, "medium": 1.2, "large": 1.2}  # speedup, every dtype
PEAK_GOAL, MEMORY_GOAL = 0.85, 1.5  # large, on two threads or more; peak memory / floor
DTYPES = {"float64": (np.float64, torch.float64), "float32": (np.float32, torch.float32)}


def code_paths(isa: str) -> str:
    """The instruction sets numba compiles for and torch's kernels use."""
    return f"{describe(isa)}; torch's CPU capability {torch.backends.cpu.get_cpu_capability()}"


def blas_libraries() -> list[str]:
    """Each BLAS library loaded in this process, as threadpoolctl sees it (numpy's, and
    scipy's once frnn's compiled loops have loaded it: numba calls BLAS through scipy)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["BLAS unknown (install threadpoolctl to see it)"]
    return [
        f"{os.path.basename(pool['filepath'])}: {pool['internal_api']} {pool['version']} "
        f"({pool.get('architecture')} kernels, {pool.get('threading_layer')})"
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    ]


def torch_blas() -> str:
    """torch's BLAS and its other CPU libraries, from torch.__config__.show()."""
    keep = ("Math Kernel Library", "MKL-DNN", "OpenBLAS", "CPU capability", "BLAS_INFO")
    lines = [line.strip(" -") for line in torch.__config__.show().splitlines()]
    found = []
    for line in lines:
        if line.startswith("Build settings"):
            blas = next((f for f in line.split(", ") if f.startswith("BLAS_INFO")), None)
            found += [blas] if blas else []
        elif any(word in line for word in keep):
            found.append(line)
    return "; ".join(found) or "BLAS not reported"


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    try:
        return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load average unknown"


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


MIN_REPEATS = 7  # samples per function at least, however slow (3 with --quick)


SETTLE = 0.1  # seconds of pause before each sample: the other library's threads go idle


def interleaved(fns: dict, seconds: float) -> dict[str, list[float]]:
    """Seconds per call of each function, sampled in turn so that load hits all alike.

    Each sample runs a function often enough to last about a millisecond, after a pause
    and an untimed run of the same length: with more than one thread, one library's idle
    pool threads (numpy's OpenBLAS, torch's OpenMP) spin on the cores for a while after
    its call and would slow whatever runs next (at the medium size on two threads, torch's
    step took 79–117 ms right after frnn's against 40 ms alone); the untimed run wakes the
    sampled library's own threads.
    """
    number = {name: max(1, int(1e-3 / median_time(fn, 3))) for name, fn in fns.items()}
    cycle = sum(2 * median_time(fn, 1) * number[name] + SETTLE for name, fn in fns.items())
    repeats = int(min(1000, max(MIN_REPEATS, seconds / cycle)))
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            time.sleep(SETTLE)
            for _ in range(number[name]):
                fn()
            start = time.perf_counter()
            for _ in range(number[name]):
                fn()
            times[name].append((time.perf_counter() - start) / number[name])
    return times


def matmul(dtype):
    """numpy's 1024×1024 matrix product, whose GFLOP/s is taken as the machine's peak."""
    rng = np.random.default_rng(0)
    a, b = rng.random((1024, 1024)).astype(dtype), rng.random((1024, 1024)).astype(dtype)
    out = np.empty_like(a)
    return lambda: np.matmul(a, b, out=out)


MATMUL_FLOPS = 2 * 1024**3
PEAKS: dict[str, float] = {}  # dtype -> the best matmul GFLOP/s seen in this run


def update_peak(dtype_name: str, times: list[float]) -> float:
    """The peak is the best sample, not the median: load can only slow a product down."""
    best = MATMUL_FLOPS / min(times) / 1e9
    PEAKS[dtype_name] = max(PEAKS.get(dtype_name, 0.0), best)
    return PEAKS[dtype_name]


class Problem:
    """One size and dtype: a frnn model and its torch twin with the same weights and data."""

    def __init__(self, B, T, D, I, dtype, tdtype, bias=False):
        self.floor = B * T * I * np.dtype(dtype).itemsize  # bytes of the states a(t)
        self.flops = 2 * T * B * I * (2 * D + 3 * I) + 4 * B * I
        self.model = frnn.init(types.SimpleNamespace(), D, I, 1, rng=0, dtype=dtype, bias=bias)
        rng = np.random.default_rng(1)
        self.x = rng.standard_normal((B, T, D)).astype(dtype)
        self.y = (rng.random(B) < 0.5).astype(dtype)
        self.rnn = torch.nn.RNN(D, I, bias=bias, batch_first=True).to(tdtype)
        self.linear = torch.nn.Linear(I, 1, bias=bias).to(tdtype)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(self.model.W))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(self.model.R))
            self.linear.weight.copy_(torch.from_numpy(self.model.V))
            if bias:
                self.rnn.bias_ih_l0.copy_(torch.from_numpy(self.model.b))
                self.rnn.bias_hh_l0.zero_()
                self.linear.bias.copy_(torch.from_numpy(self.model.c))
        self.xt, self.yt = torch.from_numpy(self.x), torch.from_numpy(self.y)
        self.engine = dispatch.choose("auto", B, D, I)
        compiled_loop = self.engine.startswith("numba")
        self.blocks = len(threads.row_blocks(T, B, D, I)) if compiled_loop else 1

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
        pairs = (
            (grads["W"], self.rnn.weight_ih_l0),
            (grads["R"], self.rnn.weight_hh_l0),
            (grads["V"], self.linear.weight),
        )
        if "b" in grads:
            pairs += ((grads["b"], self.rnn.bias_ih_l0), (grads["c"], self.linear.bias))
        return max(float(np.abs(g - p.grad.numpy()).max() / np.abs(g).max()) for g, p in pairs)

    def peak_memory(self) -> float:
        """tracemalloc's peak over one training step (after one step), in floors."""
        self.frnn_step()
        _forget_spare()  # the states' array a step allocates, not the one frnn keeps
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        self.frnn_step()
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        return peak / self.floor


def _forget_spare() -> None:
    """Drop the states' array that frnn's compiled forward keeps for reuse
    (``frnn.engine.spare``): held across steps, it would be missing from the step's peak
    though it is memory the step needs (in versions without it: nothing to drop)."""
    try:
        from frnn.engine import spare
    except ImportError:
        return
    spare.forget()


def measure(name: str, dtype_name: str, seconds: float, bias: bool = False) -> dict:
    """Time one size and dtype, and sample the matmul peak right after, under similar load."""
    B, T, D, I = SIZES[name]
    problem = Problem(B, T, D, I, *DTYPES[dtype_name], bias=bias)
    start = time.perf_counter()
    problem.frnn_step()  # numba compiles (or loads from its cache) here
    first = time.perf_counter() - start
    agreement = problem.agreement()  # also the warm-up
    for _ in range(2):
        problem.frnn_step(), problem.torch_step()
    samples = interleaved({"frnn": problem.frnn_step, "torch": problem.torch_step}, seconds)
    step = {name: statistics.median(times) for name, times in samples.items()}
    # The peak is sampled next to each size, not between its steps: a 1024×1024 product
    # would flush the caches that a training loop keeps warm, for both libraries.
    product = matmul(DTYPES[dtype_name][0])
    peak = update_peak(dtype_name, [median_time(product, 1) for _ in range(MIN_REPEATS)])
    best = problem.flops / min(samples["frnn"]) / 1e9 / peak  # the share without load
    samples = interleaved(
        {"frnn": problem.frnn_forward, "torch": problem.torch_forward}, seconds / 2
    )
    fwd = {name: statistics.median(times) for name, times in samples.items()}
    gflops = problem.flops / step["frnn"] / 1e9
    return {
        "size": name,
        "shape": (B, T, D, I),
        "dtype": dtype_name,
        "engine": problem.engine,
        "blocks": problem.blocks,
        "frnn": step["frnn"],
        "torch": step["torch"],
        "speedup": step["torch"] / step["frnn"],
        "gflops": gflops,
        "matmul": peak,
        "peak": gflops / peak,
        "peak_best": best,
        "first": first,
        "fwd_speedup": fwd["torch"] / fwd["frnn"],
        "memory": problem.peak_memory(),
        "floor": problem.floor,
        "agreement": agreement,
    }


HEADER = (
    f"{'size':7} {'(B, T, D, I)':19} {'dtype':8} {'engine':10} {'blocks':>6} {'frnn ms':>9} "
    f"{'torch ms':>9} {'speedup':>8} {'GFLOP/s':>8} {'matmul':>7} {'% peak':>7} "
    f"{'fwd speedup':>12} {'mem/floor':>10} {'grad diff':>10}"
)


def row(r: dict) -> str:
    return (
        f"{r['size']:7} {str(r['shape']):19} {r['dtype']:8} {r['engine']:10} {r['blocks']:6} "
        f"{r['frnn'] * 1e3:9.3f} {r['torch'] * 1e3:9.3f} {r['speedup']:7.2f}x "
        f"{r['gflops']:8.2f} {r['matmul']:7.1f} {r['peak']:7.0%} {r['fwd_speedup']:11.2f}x "
        f"{r['memory']:10.2f} {r['agreement']:10.1e}"
    )


BIAS_RULE = 0.05  # with biases, frnn's margin over torch may shrink by at most 5%


def bias_cost(name: str, dtype_name: str, seconds: float, instances: int = 3) -> dict:
    """The speedup with and without biases, all four steps sampled in turn in one process.

    Measuring the two speedups in separate runs compares two loads as much as two
    programs; interleaving the four steps lets load hit all of them alike.  Each of
    ``instances`` fresh sets of arrays is timed in turn and the medians over them are
    reported: a step's time depends a little on where its arrays happen to lie in memory
    (alignment), by up to a few tens of percent at the small size, in either direction.
    """
    B, T, D, I = SIZES[name]
    keys = ("frnn", "torch", "frnn bias", "torch bias")
    samples: dict[str, list[float]] = {key: [] for key in (*keys, "speedup", "speedup bias")}
    agreements = []  # each instance's gradient difference; the worst is reported
    for _ in range(instances):
        plain = Problem(B, T, D, I, *DTYPES[dtype_name], bias=False)
        biased = Problem(B, T, D, I, *DTYPES[dtype_name], bias=True)
        steps = (plain.frnn_step, plain.torch_step, biased.frnn_step, biased.torch_step)
        fns = dict(zip(keys, steps, strict=True))
        agreements += [biased.agreement(), plain.agreement()]  # also the warm-up
        for _ in range(2):
            for fn in fns.values():
                fn()
        times = interleaved(fns, seconds / instances)
        step = {key: statistics.median(values) for key, values in times.items()}
        for key in keys:
            samples[key].append(step[key])
        samples["speedup"].append(step["torch"] / step["frnn"])
        samples["speedup bias"].append(step["torch bias"] / step["frnn bias"])
    result = {key: statistics.median(values) for key, values in samples.items()}
    return {
        "size": name,
        "dtype": dtype_name,
        **result,
        "shrink": 1 - result["speedup bias"] / result["speedup"],
        "agreement": max(agreements),
    }


def bias_rows(results: list[dict]) -> list[str]:
    lines = [
        f"{'size':7} {'dtype':8} {'frnn ms':>8} {'+bias':>8} {'torch ms':>9} {'+bias':>8} "
        f"{'speedup':>8} {'+bias':>7} {'margin':>7} {'grad diff':>10}"
    ]
    for r in results:
        lines.append(
            f"{r['size']:7} {r['dtype']:8} {r['frnn'] * 1e3:8.3f} {r['frnn bias'] * 1e3:8.3f} "
            f"{r['torch'] * 1e3:9.3f} {r['torch bias'] * 1e3:8.3f} {r['speedup']:7.2f}x "
            f"{r['speedup bias']:6.2f}x {-r['shrink']:+7.1%} {r['agreement']:10.1e}"
        )
    worst = max(results, key=lambda r: r["shrink"])
    met = worst["shrink"] <= BIAS_RULE
    lines.append(
        f"\nmargin with biases shrinks by at most {BIAS_RULE:.0%}: {'met' if met else 'NOT met'} "
        f"(worst {-worst['shrink']:+.1%} at {worst['size']} {worst['dtype']})"
    )
    return lines


def verdicts(results: list[dict], threads: int) -> list[str]:
    """Each goal of issue 22 at this thread count, met or not; the peak's on 2+ threads."""
    lines = []
    for name, goal in GOALS.items():
        got = [r for r in results if r["size"] == name]
        if not got:
            continue
        speed = ", ".join(f"{r['dtype']} {r['speedup']:.2f}x" for r in got)
        met = all(r["speedup"] >= goal for r in got)
        lines.append(f"{name:7} speedup >= {goal:g}x: {'met' if met else 'NOT met'} ({speed})")
        if name == "large" and threads >= 2:
            share = ", ".join(
                f"{r['dtype']} {r['peak']:.0%} (best sample {r['peak_best']:.0%})" for r in got
            )
            met = all(r["peak"] >= PEAK_GOAL for r in got)
            lines.append(
                f"{name:7} >= {PEAK_GOAL:.0%} of matmul peak: "
                f"{'met' if met else 'NOT met'} ({share})"
            )
    # Below a megabyte the floor is smaller than the step's fixed costs (the weights, their
    # gradients, the time-major copy of x, Python objects), so the ratio says little there.
    sized = [r for r in results if r["floor"] >= 2**20]
    if sized:
        worst = max(sized, key=lambda r: r["memory"])
        lines.append(
            f"memory <= {MEMORY_GOAL:g}x floor (floors >= 1 MiB): "
            f"{'met' if worst['memory'] <= MEMORY_GOAL else 'NOT met'} (worst "
            f"{worst['memory']:.2f}x at {worst['size']} {worst['dtype']})"
        )
    first = [r for r in results if r["engine"].startswith("numba")]
    if first:
        lines.append(
            f"numba: first call (compilation, or loading its cache) took "
            f"{max(r['first'] for r in first):.2f} s, excluded from the timings"
        )
    return lines


def markdown(results: list[dict]) -> list[str]:
    """The README's table: one row per size, both dtypes side by side."""
    lines = [
        "| size | (B, T, D, I) | speedup f64 | speedup f32 | forward-only f64 / f32 "
        "| % of matmul peak f64 / f32 | peak memory / floor f64 / f32 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in dict.fromkeys(r["size"] for r in results):
        f64, f32 = (
            next(r for r in results if r["size"] == name and r["dtype"] == d) for d in DTYPES
        )
        lines.append(
            f"| {name} | {f64['shape']} | {f64['speedup']:.1f}x | {f32['speedup']:.1f}x "
            f"| {f64['fwd_speedup']:.1f}x / {f32['fwd_speedup']:.1f}x "
            f"| {f64['peak']:.0%} / {f32['peak']:.0%} | {f64['memory']:.2f} / {f32['memory']:.2f} |"
        )
    return lines


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--threads",
        default="1,2",
        help="comma-separated thread counts, one table each, for numpy's and scipy's BLAS "
        "(frnn's row blocks) and torch (default 1,2)",
    )
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated sizes")
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="timing budget per size, dtype and library (default 4, quick 0.3)",
    )
    parser.add_argument(
        "--bias", action="store_true", help="biases b and c in both (torch's bias=True)"
    )
    parser.add_argument(
        "--bias-cost",
        action="store_true",
        help="the speedup with and without biases, measured side by side",
    )
    parser.add_argument(
        "--isa",
        choices=("native", "avx2"),
        default="native",
        help="avx2: every library's AVX2 code, as on a CPU without AVX-512 (default native)",
    )
    parser.add_argument(
        "--flush-torch",
        action="store_true",
        help="torch.set_flush_denormal(True) first: torch too flushes subnormals to zero, as "
        "frnn's float32 loops do (on the calling thread; torch's intra-op threads, with "
        "--threads above 1, keep IEEE subnormals)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.sizes.split(",")) - set(SIZES)
    try:
        args.threads = [int(n) for n in str(args.threads).split(",")]
    except ValueError:
        args.threads = [0]
    if unknown or min(args.threads) < 1:
        parser.error(f"--sizes must name {', '.join(SIZES)} and --threads be counts >= 1")
    return args


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    if args.isa == "avx2":
        run_as_avx2(__file__, argv)
    seconds = args.seconds or (0.3 if args.quick else 4.0)
    if args.flush_torch and not torch.set_flush_denormal(True):
        sys.exit("--flush-torch: this CPU cannot flush subnormals (torch says so)")
    if args.quick:
        global MIN_REPEATS
        MIN_REPEATS = 3
    numba = dispatch.numba_kernels()
    compiled.blas_kernels()  # loads scipy's BLAS (numba's), so the limits below reach it
    biases = "with and without biases" if args.bias_cost else "biases b and c"
    biases = biases if args.bias or args.bias_cost else "no bias"
    print(
        f"frnn {frnn.__version__} vs torch {torch.__version__}: one training step (forward + "
        f"BPTT), many-to-one BCE, tanh, {biases}, K = 1"
    )
    print(f"machine: {os.cpu_count()} cores, {cpu_name()}")
    print(f"numpy {np.__version__}; BLAS loaded (numpy's, and scipy's that numba calls):")
    print("\n".join(f"  {line}" for line in blas_libraries()))
    print(f"torch {torch.__version__}: {torch_blas()}")
    print(f"numba: {numba.numba_version if numba else 'unavailable'}")
    print(f"code paths: {code_paths(args.isa)}")
    flushed = "both" if args.flush_torch else "frnn's float32 loops only"
    print(f"subnormals flushed to zero: {flushed}")
    peak = "" if args.bias_cost else "; the peak is the best numpy 1024x1024 matmul sampled so far"
    print(
        f"timing: medians of frnn and torch sampled in turn, about {seconds:g} s per size and "
        f"dtype, after a warm-up{peak}"
    )
    for count in args.threads:
        limiter = limit_threads(count)
        print(f"\n== {count} thread{'s' if count > 1 else ''} (numpy's and scipy's BLAS, "
              f"torch); before: {load()}\n")  # fmt: skip
        if args.bias_cost:
            run_bias_cost(args.sizes.split(","), seconds)
        else:
            run_table(args.sizes.split(","), seconds, args.bias, args.quick, count)
        print(f"after: {load()}")
        if limiter is not None:
            limiter.restore_original_limits()


def run_bias_cost(sizes: list[str], seconds: float) -> None:
    """The --bias-cost table: each size and dtype's speedup with and without biases."""
    results = []
    for name in sizes:
        for dtype_name in DTYPES:
            results.append(bias_cost(name, dtype_name, seconds))
            print(f"  measured {name} {dtype_name}", flush=True)
    print("\n".join(["", *bias_rows(results)]))
    print("margin: the change of frnn's speedup over torch when both add the biases")


def run_table(sizes: list[str], seconds: float, bias: bool, quick: bool, threads: int) -> None:
    """The main table: each size and dtype against torch and the matmul peak; the goals."""
    PEAKS.clear()  # the peak of this thread count
    for dtype_name, (dtype, _) in DTYPES.items():
        product = matmul(dtype)
        product()
        update_peak(dtype_name, [median_time(product, 1) for _ in range(10 if quick else 30)])
    print(HEADER)
    results = []
    for name in sizes:
        for dtype_name in DTYPES:
            results.append(measure(name, dtype_name, seconds, bias))
            print(row(results[-1]), flush=True)
    print(
        "\nspeedup = torch time / frnn time (training step); fwd speedup: forward only "
        "(torch under no_grad); mem/floor: tracemalloc peak of a frnn step / (B·T·I values); "
        "grad diff: max relative difference of frnn's and torch's gradients; blocks: the "
        "batch's row blocks that frnn's compiled loops run side by side"
    )
    peaks = ", ".join(f"{d} {p:.1f} GFLOP/s" for d, p in PEAKS.items())
    print(f"\nmatmul peak (best 1024x1024 product of the run): {peaks}")
    goals = verdicts(results, threads)
    print("\n".join(["", "goals:", *goals, "", "table:", *markdown(results)]))


if __name__ == "__main__":
    main()
