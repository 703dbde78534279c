"""The adding problem: RNNRegressor against the constant mean and PyTorch's nn.RNN.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/adding.py [--lengths 50 100 200]
        [--n-train 500] [--n-test 1000] [--models mean reservoir bptt torch] [--quick]

For each length T, one generated training set and one test set (the same seed for every
model): the test MSE of

- the constant-mean baseline (the training targets' mean; ≈ 1/6 for every T),
- ``RNNRegressor()`` (its defaults: random reservoirs, ridge read-out),
- ``RNNRegressor(training="bptt")`` (its defaults, the memory recipe: 5 IRNNs of 64 units,
  8,000 steps; ``--quick``: 30 steps; benchmarks/bptt_defaults.py measures them on 10,000
  series against the issue's goals),
- a PyTorch recipe: nn.RNN(2, 32, tanh) + nn.Linear(32, 1) on the last state, Adam
  (lr 0.01, cosine schedule), global-norm clipping at 1, mini-batches of 32, 300 epochs,
  full BPTT over the T raw steps (the form of Le, Jaitly & Hinton 2015 with frnn's
  optimiser settings),

with fit seconds (one thread each; the machine may be shared, so compare within a row).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from frnn import RNNRegressor
from frnn.data.synthetic import adding


def torch_recipe(X, y, Xt, epochs: int, seed: int = 0):
    """Train the nn.RNN recipe; returns test predictions."""
    import torch  # imported (and timed) once, by main, before any recipe runs

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    rnn = torch.nn.RNN(X.shape[2], 32, batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(32, 1, dtype=torch.float64)
    params = [*rnn.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(params, lr=0.01)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    x, target = torch.from_numpy(X), torch.from_numpy(y)[:, None]
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(x), generator=generator).split(32):
            optimizer.zero_grad()
            states, _ = rnn(x[batch])  # (B, T, 32)
            loss = 0.5 * ((head(states[:, -1]) - target[batch]) ** 2).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
        schedule.step()
    with torch.no_grad():
        return head(rnn(torch.from_numpy(Xt))[0][:, -1])[:, 0].numpy()


MODELS = ("mean", "reservoir", "bptt", "torch")


def one_length(
    T: int, n_train: int, n_test: int, epochs: int, models=MODELS
) -> list[tuple[str, float, float, float]]:
    """(name, test MSE, fit seconds, training MSE) of each chosen model on one generated set
    of length T (the training MSE tells a model that cannot fit from one that overfits)."""
    rng = np.random.default_rng(T)
    X, y = adding(n_train, rng, T)  # (n, T, 2), (n,)
    Xt, yt = adding(n_test, rng, T)
    rows = []
    if "mean" in models:
        mse = float(np.mean((yt - y.mean()) ** 2)), float(np.var(y))
        rows.append(("constant mean", mse[0], 0.0, mse[1]))
    estimators = {
        "reservoir": ("RNNRegressor()", RNNRegressor(random_state=0)),
        "bptt": (
            'RNNRegressor(training="bptt")',
            RNNRegressor(
                training="bptt", random_state=0, **({"steps": 30} if epochs < 300 else {})
            ),
        ),
    }
    for key, (name, model) in estimators.items():
        if key in models:
            started = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - started
            train = float(np.mean((model.predict(X) - y) ** 2))
            rows.append((name, float(np.mean((model.predict(Xt) - yt) ** 2)), seconds, train))
    if "torch" in models:
        started = time.perf_counter()
        prediction = torch_recipe(X, y, np.concatenate([Xt, X]), epochs)
        seconds = time.perf_counter() - started
        test, train = prediction[: len(Xt)], prediction[len(Xt) :]
        mse = float(np.mean((test - yt) ** 2)), float(np.mean((train - y) ** 2))
        rows.append(("torch nn.RNN recipe", mse[0], seconds, mse[1]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--n-train", type=int, default=500)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument(
        "--models", nargs="+", choices=MODELS, default=list(MODELS), help="the rows to run"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: small sets, 3 epochs")
    args = parser.parse_args()
    if "torch" in args.models:
        import torch  # noqa: F401  -- its import is not part of any fit time

    epochs = 3 if args.quick else 300
    n_train, n_test = (60, 60) if args.quick else (args.n_train, args.n_test)
    table = {}
    for T in args.lengths:
        for name, mse, seconds, train in one_length(T, n_train, n_test, epochs, args.models):
            table.setdefault(name, {})[T] = (mse, seconds)
            line = f"T={T:<4} {name:32} MSE {mse:.4f}  fit {seconds:.1f} s"
            print(f"{line}  training MSE {train:.2g}", flush=True)
    head = " | ".join(f"T = {T}: MSE (fit s)" for T in args.lengths)
    print(f"\n| model | {head} |\n|---" + "|---" * len(args.lengths) + "|")
    for name, cells in table.items():
        text = " | ".join(
            f"{mse:.4f} ({seconds:.1f})" if seconds else f"{mse:.4f}"
            for mse, seconds in (cells[T] for T in args.lengths)
        )
        print(f"| {name} | {text} |")
    print(f"\nn_train {n_train}, n_test {n_test}; always answering 1: MSE 1/6 = {1 / 6:.4f}")


if __name__ == "__main__":
    main()
