"""Forecasting two generated series with frnn, against honest baselines.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/forecasting.py
        [--out docs/forecasting.png] [--table benchmarks/results/forecasting.md]

Two series, generated here (no downloaded data), 1,500 values each:

- *seasonal*: a trend, a daily cycle of period 24 with a harmonic, and Gaussian noise;
- *Mackey-Glass*: the delay equation dx/dt = 0.2 x(t − 17) / (1 + x(t − 17)^10) − 0.1 x,
  chaotic, sampled once per time unit, with a little noise.

The last 300 values of each are held out (`frnn.data.holdout`) and scored once.  On the
training part alone, the window length of each model is chosen by time-ordered
cross-validation (`frnn.data.time_split`: 3 folds, the gap that keeps training and
validation windows apart), one choice per series, model and horizon.  Each model then
forecasts every value of the tail from the values before it: 1 step ahead, and 12 steps
ahead by the direct method (one output per step ahead: targets (n, 12)).

The models: the last value (naive), the value one period before (seasonal naive, period
24; for Mackey-Glass, which has no period, its mean recurrence time, 50), a linear
autoregression (``RidgeCV`` on the standardised flattened window) and ``RNNRegressor()``
(the default reservoir).  Printed and written: MAE and RMSE on the tail; drawn: the tail's
last 150 values against frnn's and the autoregression's forecasts.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import frnn
from frnn._atomic import atomic_writer
from frnn.data import holdout, time_split, windows
from frnn.viz.figures import new_figure, save_figure

T, TEST, HORIZONS, WINDOWS = 1500, 300, (1, 12), (24, 48, 96)
PERIODS = {"seasonal": 24, "Mackey-Glass": 50}


def seasonal(T: int, seed: int = 0) -> np.ndarray:
    """A trend, a cycle of period 24 and its first harmonic, and noise of sd 0.3: (T,)."""
    t = np.arange(T)
    cycle = np.sin(2 * np.pi * t / 24) + 0.4 * np.sin(4 * np.pi * t / 24 + 1.0)
    return 0.002 * t + cycle + 0.3 * np.random.default_rng(seed).standard_normal(T)


def mackey_glass(T: int, seed: int = 0, tau: int = 17, dt: float = 0.1) -> np.ndarray:
    """The Mackey-Glass series, one value per time unit, plus noise of sd 0.02: (T,).

    Euler steps of ``dt`` from x = 1.2 before t = 0, the first 500 time units dropped (the
    transient)."""
    per_unit, lag = round(1 / dt), round(tau / dt)
    steps = (T + 500) * per_unit
    x = np.full(steps + lag, 1.2)
    for k in range(lag, steps + lag - 1):
        delayed = x[k - lag]
        x[k + 1] = x[k] + dt * (0.2 * delayed / (1 + delayed**10) - 0.1 * x[k])
    series = x[lag + 500 * per_unit :: per_unit][:T]
    return series + 0.02 * np.random.default_rng(seed).standard_normal(T)


def linear_ar():
    """Ridge on the window flattened and standardised (its scaling fitted on the training
    windows alone), α by its own leave-one-out."""
    flatten = FunctionTransformer(lambda X: X.reshape(len(X), -1))
    return make_pipeline(flatten, StandardScaler(), RidgeCV(alphas=np.logspace(-4, 3, 15)))


MODELS = {
    "linear AR (RidgeCV)": linear_ar,
    "frnn RNNRegressor()": lambda: frnn.RNNRegressor(random_state=0),
}


def naive(X: np.ndarray, horizon: int) -> np.ndarray:
    """The last value of each window, for every step ahead: (n,) or (n, horizon)."""
    last = X[:, -1, 0]
    return last if horizon == 1 else np.repeat(last[:, None], horizon, axis=1)


def seasonal_naive(X: np.ndarray, horizon: int, period: int) -> np.ndarray:
    """y(t + k) forecast by y(t + k − period·⌈k / period⌉), read from the window."""
    k = np.arange(1, horizon + 1)
    back = period * np.ceil(k / period).astype(int) - k  # steps before the window's end
    forecast = X[:, X.shape[1] - 1 - back, 0]  # (n, horizon)
    return forecast[:, 0] if horizon == 1 else forecast


def chosen_window(make, y_train: np.ndarray, horizon: int) -> tuple[int, dict]:
    """The window of least mean squared error over time-ordered folds of the training
    part, and every window's score."""
    scores = {}
    for window in WINDOWS:
        X, Y = windows(y_train, window, horizon)
        cv = time_split(3, window=window, horizon=horizon)
        scores[window] = -cross_val_score(
            make(), X, Y, cv=cv, scoring="neg_mean_squared_error"
        ).mean()
    return min(scores, key=scores.get), scores


def errors(forecast: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    """MAE and RMSE over every test window and step ahead."""
    e = np.asarray(forecast) - Y
    return float(np.mean(np.abs(e))), float(np.sqrt(np.mean(e**2)))


def evaluate(name: str, y: np.ndarray, horizon: int) -> tuple[list, dict]:
    """The table's rows for one series and horizon, and the forecasts drawn."""
    y_train = holdout(y, TEST, window=max(WINDOWS))[0]
    rows, drawn = [], {}
    X_base, Y_base = windows(holdout(y, TEST, window=PERIODS[name])[1], PERIODS[name], horizon)
    rows.append(
        (name, horizon, "naive (last value)", "-", *errors(naive(X_base, horizon), Y_base), 0.0)
    )
    seasonal_fc = seasonal_naive(X_base, horizon, PERIODS[name])
    rows.append(
        (name, horizon, f"seasonal naive ({PERIODS[name]})", "-", *errors(seasonal_fc, Y_base), 0.0)
    )
    for label, make in MODELS.items():
        start = time.perf_counter()
        window, scores = chosen_window(make, y_train, horizon)
        X, Y = windows(holdout(y, TEST, window=window)[0], window, horizon)
        model = make().fit(X, Y)
        X_test, Y_test = windows(holdout(y, TEST, window=window)[1], window, horizon)
        forecast = model.predict(X_test)
        seconds = time.perf_counter() - start
        cv = ", ".join(f"{w}: {s:.4f}" for w, s in scores.items())
        print(f"  {name}, h = {horizon}, {label}: CV MSE by window {cv}", flush=True)
        rows.append((name, horizon, label, window, *errors(forecast, Y_test), seconds))
        drawn[label] = forecast
    drawn["truth"] = Y_test
    return rows, drawn


def table(rows: list) -> str:
    lines = [
        "| series | h | model | window (CV) | MAE | RMSE | seconds (CV + fit) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, h, label, window, mae, rmse, seconds in rows:
        lines.append(
            f"| {name} | {h} | {label} | {window} | {mae:.4f} | {rmse:.4f} | {seconds:.0f} |"
        )
    return "\n".join(lines) + "\n"


def draw(drawings: dict):
    fig = new_figure((11, 6.2))
    axes = fig.subplots(len(drawings), 1)
    for ax, (name, (one, twelve)) in zip(axes, drawings.items(), strict=True):
        shown = 150
        steps = np.arange(TEST - shown, TEST)
        ax.plot(steps, one["truth"][-shown:], color="black", lw=1.2, label="truth")
        ax.plot(steps, one["frnn RNNRegressor()"][-shown:], color="tab:red", lw=1.2,
                label="frnn, 1 step ahead")  # fmt: skip
        ax.plot(steps, one["linear AR (RidgeCV)"][-shown:], color="tab:blue", lw=1, ls=":",
                label="linear AR, 1 step ahead")  # fmt: skip
        # a direct 12-step forecast every 30 steps: window i's targets start at tail step i
        for k, origin in enumerate(range(TEST - shown, TEST - 11, 30)):
            ax.plot(np.arange(origin, origin + 12), twelve["frnn RNNRegressor()"][origin],
                    color="tab:orange", lw=2,
                    label="frnn, 12 steps ahead (direct)" if k == 0 else None)  # fmt: skip
        ax.margins(x=0.01, y=0.22)  # room for the legend above the curves
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("step of the held-out tail")
        ax.legend(fontsize=7, loc="upper left", ncols=4)
    fig.tight_layout()
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/forecasting.png")
    parser.add_argument("--table", default="benchmarks/results/forecasting.md")
    args = parser.parse_args()
    series = {"seasonal": seasonal(T), "Mackey-Glass": mackey_glass(T)}
    rows, drawings = [], {}
    for name, y in series.items():
        drawn = []
        for horizon in HORIZONS:
            found, forecasts = evaluate(name, y, horizon)
            rows += found
            drawn.append(forecasts)
        drawings[name] = drawn
    text = table(rows)
    print(text)
    command = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/forecasting.py"
    with atomic_writer(args.table) as file:
        note = "Seconds: the window's cross-validation and the final fit, one thread."
        file.write(f"# Forecasting: the held-out tail\n\n`{command}`\n\n{text}\n{note}\n".encode())
    save_figure(draw(drawings), args.out)
    print(f"wrote {args.out} and {args.table}")


if __name__ == "__main__":
    main()
