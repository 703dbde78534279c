"""BPTT recipes for memory tasks, fitted on arrays in hand: frnn's engine and torch's RNNs.

A recipe is what an estimator's BPTT mode would do with (X, y): standardise each input
feature with the training mean and std, cut the series into frames of ``frame`` samples,
draw the networks with an initialisation scheme, and train them by full BPTT with Adam
(a per-parameter factor on R's rate, linear warm-up then cosine decay by step, global-norm
clipping) on mini-batches drawn from the training arrays; regression targets are
standardised and the loss is least squares, classes are one sigmoid output each (one for
two classes) with the cross-entropy.  ``fit`` runs it with frnn's stream trainer;
``torch_fit`` runs the same recipe (same data, batches, budget and schedule) on
torch.nn.RNN / LSTM / GRU, for the side-by-side table.

Shared by benchmarks/select_memory_defaults.py and benchmarks/memory.py.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, replace

import numpy as np

import frnn
from frnn.training import Schedule, array_batches, train_stream


@dataclass(frozen=True)
class Recipe:
    """Every hyper-parameter of a BPTT fit (the values are IRNN's, Le et al. 2015)."""

    hidden: int = 64
    activation: str = "relu"
    scheme: str = "identity"
    scale: float | None = None  # init's scale (None: the scheme's default)
    radius: float | None = None  # init's radius (None: the scheme's default)
    lr: float = 1e-3
    lr_R: float = 1.0  # R's rate is lr × lr_R
    batch: int = 32
    epochs: float = 100.0  # passes over the training series (steps = epochs · n / batch)
    steps: int | None = None  # the budget in optimiser steps instead of epochs
    warmup: float = 0.01  # fraction of the steps spent warming up
    decay: str = "cosine"
    clip: float | None = 1.0
    weight_decay: float = 0.0  # L2 on W, R, V (never on the biases)
    frame: int = 1  # samples per network step
    standardize: bool = True
    bias: bool = True
    ensemble: int = 1
    fix_R_zero: bool = False  # the ablation: R = 0 and never trained
    seed: int = 0

    def but(self, **changes) -> Recipe:
        return replace(self, **changes)

    def label(self, base: Recipe | None = None) -> str:
        """The fields that differ from ``base`` (all of them without one)."""
        changed = {k: v for k, v in asdict(self).items() if base is None or getattr(base, k) != v}
        return ", ".join(f"{k}={v}" for k, v in changed.items()) or "base"


#: The recipe select_memory_defaults.py chose by validation (the stages and their tables:
#: benchmarks/results/memory_selection.md): the IRNN read in frames of ⌈T/20⌉ samples,
#: Adam 4e-3 with 1% warm-up and cosine decay, clipping at 1, batches of 32, 8,000 steps,
#: 5 networks.
RECOMMENDED = Recipe(frame="steps:20", lr=4e-3, steps=8000, ensemble=5)


@dataclass
class Fitted:
    networks: list
    recipe: Recipe
    mean: np.ndarray  # (D,) input standardisation
    std: np.ndarray
    task: str  # "regression" or "classification"
    y_mean: float = 0.0
    y_std: float = 1.0
    classes: np.ndarray | None = None
    seconds: float = 0.0
    series: int = 0
    history: dict | None = None


def _inputs(fitted_or_stats, X: np.ndarray, frame: int) -> np.ndarray:
    mean, std = fitted_or_stats
    x = (X - mean) / std  # (n, T, D)
    n, T, D = x.shape
    if frame > 1:
        pad = -T % frame
        x = np.concatenate([x, np.zeros((n, pad, D))], axis=1) if pad else x
        x = x.reshape(n, (T + pad) // frame, frame * D)  # (n, T / f, f · D)
    return np.ascontiguousarray(x)


def _targets(y: np.ndarray, task: str):
    if task == "regression":
        y_mean, y_std = float(y.mean()), float(y.std()) or 1.0
        return (y - y_mean) / y_std, y_mean, y_std, None
    classes = np.unique(y)
    codes = np.searchsorted(classes, y)
    Y = codes.astype(np.float64) if classes.size == 2 else codes  # (n,) 0/1 or labels
    return Y, 0.0, 1.0, classes


def fit(recipe: Recipe, X: np.ndarray, y: np.ndarray, task: str, val=None) -> Fitted:
    """Fit ``recipe`` on X (n, T, D), y (n,); ``val`` = (Xv, yv) scored each epoch."""
    started = time.perf_counter()
    if recipe.standardize:
        flat = X.reshape(-1, X.shape[2])
        mean, std = flat.mean(axis=0), flat.std(axis=0)
        std = np.where(std > 1e-12, std, 1.0)
    else:
        mean, std = np.zeros(X.shape[2]), np.ones(X.shape[2])
    x = _inputs((mean, std), X, recipe.frame)
    Y, y_mean, y_std, classes = _targets(y, task)
    K = 1 if task == "regression" or classes.size == 2 else classes.size
    loss = "mse" if task == "regression" else "bce"
    networks = [
        frnn.FullyRecurrentNetwork(
            x.shape[2],
            recipe.hidden,
            K,
            activation=recipe.activation,
            loss=loss,
            bias=recipe.bias,
            scheme=recipe.scheme,
            scale=recipe.scale,
            radius=recipe.radius,
            rng=recipe.seed * 1000 + k,
        )  # fmt: skip
        for k in range(recipe.ensemble)
    ]
    n = x.shape[0]
    batch = min(recipe.batch, n)
    steps = recipe.steps or max(1, int(round(recipe.epochs * n / batch)))

    batches = array_batches(x, Y, batch)

    if recipe.fix_R_zero:
        for net in networks:
            net.R[...] = 0.0
    validation = None
    if val is not None:
        Yv = _targets_like(val[1], task, y_mean, y_std, classes)
        validation = (_inputs((mean, std), val[0], recipe.frame), Yv)
    factor_R = 0.0 if recipe.fix_R_zero else recipe.lr_R  # 0 freezes R (at 0 here)
    trainer = train_stream(
        networks, batches, steps=steps, learning_rate=recipe.lr,
        lr_factors={"R": factor_R} if factor_R != 1.0 else None,
        warmup=int(recipe.warmup * steps), decay=recipe.decay, clip=recipe.clip,
        weight_decay=recipe.weight_decay, validation=validation,
        eval_every=max(1, steps // 20), seed=recipe.seed,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return Fitted(
        networks, recipe, mean, std, task, y_mean, y_std, classes, seconds,
        series=steps * batch * recipe.ensemble, history=trainer.history,
    )  # fmt: skip


def _targets_like(y, task, y_mean, y_std, classes):
    if task == "regression":
        return (y - y_mean) / y_std
    codes = np.searchsorted(classes, y)
    return codes.astype(np.float64) if classes.size == 2 else codes


def predict(fitted: Fitted, X: np.ndarray) -> np.ndarray:
    """Regression values or class labels for X (n, T, D): the ensemble's mean logits."""
    x = _inputs((fitted.mean, fitted.std), X, fitted.recipe.frame)
    z = []
    for net in fitted.networks:
        out = []
        for start in range(0, x.shape[0], 512):
            frnn.forward(net, x[start : start + 512])
            out.append(net.z)  # (b, K)
        z.append(np.concatenate(out))
    z = np.mean(z, axis=0)  # (n, K)
    if fitted.task == "regression":
        return z[:, 0] * fitted.y_std + fitted.y_mean
    index = (z[:, 0] > 0).astype(int) if z.shape[1] == 1 else z.argmax(axis=1)
    return fitted.classes[index]


def score(fitted: Fitted, X, y) -> float:
    """MSE (regression) or accuracy (classification)."""
    prediction = predict(fitted, X)
    if fitted.task == "regression":
        return float(np.mean((prediction - y) ** 2))
    return float(np.mean(prediction == y))


# -- the same recipe in torch -------------------------------------------------------------
def torch_fit(kind: str, recipe: Recipe, X, y, task: str, Xt, yt) -> tuple[float, float, int]:
    """Train torch.nn.{RNN, LSTM, GRU} (``kind``) with the recipe; (test metric, seconds,
    series seen).  The RNN takes the recipe's initialisation (R = I etc., via
    frnn.to_torch); LSTM and GRU keep torch's own; float64, one thread."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(recipe.seed)
    started = time.perf_counter()
    flat = X.reshape(-1, X.shape[2])
    stats = (flat.mean(axis=0), np.where(flat.std(axis=0) > 1e-12, flat.std(axis=0), 1.0))
    if not recipe.standardize:
        stats = (np.zeros(X.shape[2]), np.ones(X.shape[2]))
    x = torch.from_numpy(_inputs(stats, X, recipe.frame))
    Y, y_mean, y_std, classes = _targets(y, task)
    K = 1 if task == "regression" or classes.size == 2 else classes.size
    D, I = x.shape[2], recipe.hidden
    if kind == "rnn":
        net = frnn.FullyRecurrentNetwork(
            D, I, K, activation=recipe.activation, bias=True, scheme=recipe.scheme,
            scale=recipe.scale, radius=recipe.radius, rng=recipe.seed * 1000,
        )  # fmt: skip
        core, head = frnn.to_torch(net)
        core.bias_hh_l0.requires_grad_(False)
    else:
        core = getattr(torch.nn, kind.upper())(D, I, batch_first=True, dtype=torch.float64)
        head = torch.nn.Linear(I, K, dtype=torch.float64)
    rest = [p for n, p in core.named_parameters() if n != "weight_hh_l0" and p.requires_grad]
    groups = [
        {"params": rest},
        {"params": [core.weight_hh_l0], "lr": recipe.lr * recipe.lr_R},
        {"params": list(head.parameters())},
    ]  # fmt: skip
    optimizer = torch.optim.Adam(groups, lr=recipe.lr)
    n = x.shape[0]
    batch = min(recipe.batch, n)
    steps = recipe.steps or max(1, int(round(recipe.epochs * n / batch)))
    schedule = Schedule(steps, warmup=int(recipe.warmup * steps), decay=recipe.decay)
    bases = [g["lr"] for g in optimizer.param_groups]
    target = torch.from_numpy(np.asarray(Y))
    rng = np.random.default_rng(recipe.seed)
    params = [p for g in groups for p in g["params"]]
    for step in range(steps):
        for g, base in zip(optimizer.param_groups, bases, strict=True):
            g["lr"] = base * schedule.factor(step)
        index = torch.from_numpy(rng.choice(n, batch, replace=False))
        z = head(core(x[index])[0][:, -1])  # (B, K)
        optimizer.zero_grad()
        _torch_loss(z, target[index], task, K).backward()
        if recipe.clip:
            torch.nn.utils.clip_grad_norm_(params, recipe.clip)
        optimizer.step()
    seconds = time.perf_counter() - started
    with torch.no_grad():
        xt = torch.from_numpy(_inputs(stats, Xt, recipe.frame))
        z = torch.cat([head(core(xt[s : s + 512])[0][:, -1]) for s in range(0, len(xt), 512)])
        z = z.numpy()
    if task == "regression":
        metric = float(np.mean((z[:, 0] * y_std + y_mean - yt) ** 2))
    else:
        index = (z[:, 0] > 0).astype(int) if K == 1 else z.argmax(axis=1)
        metric = float(np.mean(classes[index] == yt))
    return metric, seconds, steps * batch


def _torch_loss(z, target, task, K):
    import torch

    if task == "regression":
        return 0.5 * ((z[:, 0] - target) ** 2).mean()
    if K == 1:
        return torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], target)
    onehot = torch.nn.functional.one_hot(target, K).double()
    return (
        torch.nn.functional.binary_cross_entropy_with_logits(z, onehot, reduction="none")
        .sum(1)
        .mean()
    )


def series_per_second(fitted: Fitted) -> float:
    return fitted.series / fitted.seconds if fitted.seconds else math.nan
