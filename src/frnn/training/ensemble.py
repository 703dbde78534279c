"""An ensemble of networks trained end to end by BPTT: drawn, split, trained, averaged.

Every weight W, R, V (and b, c) of each of ``n_ensemble`` networks is learned by
backpropagation through time on the networks' loss (``frnn.training``'s steps and the epoch
loop of ``loop``); their outputs are averaged.  Nothing here knows about estimators:
an :class:`EnsembleSpec` says what the networks are and how they train (the epoch loop's
``Settings`` among it: the task's score, class weights and target scale included), and the
targets come encoded.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from .._memory import check
from ..data.series import Series
from ..engine.initialise import init
from ..engine.network import forward
from ..engine.protocol import detached
from .loop import Trainer
from .settings import Member, Settings
from .steps import make_optimizer

__all__ = [
    "EnsembleSpec",
    "check_memory",
    "network",
    "outputs",
    "prepare",
    "round_steps",
    "seeds",
    "split",
    "trainer",
]


@dataclass(frozen=True)
class EnsembleSpec:
    """The networks of an ensemble and how they train (an estimator's BPTT parameters).

    ``loss`` is the networks' ("bce" or "mse"); ``init`` and ``init_scale`` the scheme
    and scale of :func:`frnn.init`; ``random_state`` seeds the validation split and every
    network's draw and batches (:func:`seeds`); ``settings`` are the loop's, its
    ``batch_size`` capped, its ``aux_weight`` divided by the mean training length (the
    per-step loss then weighs about as much as the last step's) and, for a budget of
    steps, its round set by :func:`round_steps` once the split is known.
    """

    hidden_size: int
    n_ensemble: int
    activation: str
    loss: str
    init: str
    init_scale: float | None
    bias: bool
    dtype: str
    optimizer: str
    momentum: float
    weight_decay: float
    validation_fraction: float
    random_state: int | np.random.RandomState | None
    settings: Settings


_MAX_PARAMETER_BYTES = 2**34  # 16 GiB: weights, gradients and optimizer moments together


def check_memory(I: int, D: int, K: int, n_ensemble: int, itemsize: int) -> None:
    """Refuse, before any allocation or loop, sizes whose parameters cannot fit in memory."""
    need = 4 * n_ensemble * (I * D + I * I + K * I) * itemsize  # W, R, V; grads; 2 moments
    if need > _MAX_PARAMETER_BYTES:
        raise ValueError(
            f"hidden_size={I} and n_ensemble={n_ensemble} need about {need / 2**30:,.0f} GiB "
            f"for the networks' parameters alone (at most {_MAX_PARAMETER_BYTES / 2**30:.0f} "
            "GiB); choose smaller ones"
        )


def prepare(
    spec: EnsembleSpec,
    x: np.ndarray,
    lengths: np.ndarray,
    Y: np.ndarray,
    resume_state: dict | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[Trainer, Series, Series | None]:
    """The epoch loop for inputs x (n, T', D) and encoded targets Y (n, K) or (n, T', K),
    each series' loss weighed by ``sample_weight`` (n,) (None: one each; the training
    series' weights travel with them, the validation loss counts its series alike).

    Everything that can refuse (sizes, a validation split, a resume state) does so here,
    before anything is trained.  Returns (trainer, training Series, validation Series or
    None).
    """
    check_memory(spec.hidden_size, x.shape[2], Y.shape[-1], spec.n_ensemble, x.itemsize)
    split_seed, member_seeds = seeds(spec)  # after the check: one seed a network
    data, val = split(spec, x, lengths, Y, split_seed, sample_weight)
    n = data.X.shape[0]
    settings = dataclasses.replace(
        spec.settings,
        batch_size=min(spec.settings.batch_size, n),
        aux_weight=spec.settings.aux_weight / float(np.mean(data.lengths)),
        round_steps=round_steps(n, spec.settings.batch_size, spec.settings.steps)
        if spec.settings.epochs is None
        else None,
    )
    loop = trainer(spec, data.X.shape[2], Y.shape[-1], member_seeds, settings)
    if resume_state is not None:
        loop.load_state(resume_state)
    return loop, data, val


def round_steps(n: int, batch_size: int, steps: int) -> int:
    """Optimiser steps a round when training by ``steps`` on n series: ⌈n / B⌉, B =
    min(batch_size, n), about one pass over them, but at least ⌈steps / 100⌉ (at most
    about 100 rounds: each scores the validation set and may write a checkpoint)."""
    return max(-(-n // min(batch_size, n)), -(-steps // 100))


def seeds(spec: EnsembleSpec) -> tuple:
    """The run's seeds: the validation split's and, per network, (its draw's, its batches').

    ``random_state`` gives an integer s.  By epochs (the loop of frnn < 0.x): the split is
    SeedSequence(s)'s first child and network k draws its weights and then shuffles from
    the child k + 2 (one generator).  By steps: network k draws its batches from child k
    of SeedSequence(s).spawn(2N) (N networks) — as ``train_stream(..., seed=s)`` does —
    its weights from child N + k, and the split from child 2N.
    """
    s = check_random_state(spec.random_state).randint(np.iinfo(np.int32).max)
    root, N = np.random.SeedSequence(s), spec.n_ensemble
    if spec.settings.epochs is not None:
        split_seed = root.spawn(1)[0]
        return split_seed, [(child, None) for child in root.spawn(1 + N)[1:]]
    children = root.spawn(2 * N + 1)
    return children[2 * N], [(children[N + k], children[k]) for k in range(N)]


def split(
    spec: EnsembleSpec, x: np.ndarray, lengths: np.ndarray, Y: np.ndarray, seed, weights=None
):
    """Training and validation Series (None without validation), split by ``seed``; the
    training Series keeps its series' ``weights`` (n,) or None."""
    n = x.shape[0]
    n_val = int(round(spec.validation_fraction * n))
    if spec.validation_fraction and not 1 <= n_val < n:
        raise ValueError(
            f"validation_fraction={spec.validation_fraction} leaves no "
            f"validation or no training series out of {n}"
        )
    if not n_val and spec.settings.epochs is None:  # batches drawn from the series as given
        return Series(x, Y, lengths, weights=weights), None
    order = np.random.default_rng(seed).permutation(n)
    train, held = order[n_val:], order[:n_val]
    kept = None if weights is None else weights[train]
    if kept is not None and not (kept > 0).any():  # a loss of 0: nothing would be learnt
        raise ValueError(
            f"sample_weight gives every training series weight 0 once "
            f"validation_fraction={spec.validation_fraction} has held {n_val} of {n} out "
            "(the series of weight > 0 all went to validation): give more series weight, "
            "or pass another random_state or validation_fraction"
        )
    data = Series(x[train], Y[train], lengths[train], weights=kept)
    val = Series(x[held], Y[held], lengths[held]) if n_val else None
    return data, val


def trainer(spec: EnsembleSpec, D: int, K: int, member_seeds: list, settings: Settings) -> Trainer:
    """The loop over ``spec.n_ensemble`` networks of D inputs and K outputs, each drawn
    and fed by its own seeds (:func:`seeds`: one generator, or one for the weights and one
    for the batches)."""
    check_memory(spec.hidden_size, D, K, spec.n_ensemble, np.dtype(spec.dtype).itemsize)
    members = []
    for draw_seed, batch_seed in member_seeds:
        rng = np.random.default_rng(draw_seed)
        optimizer = make_optimizer(
            spec.optimizer,
            settings.learning_rate,
            momentum=spec.momentum,
            weight_decay=spec.weight_decay,
        )
        model = network(spec, D, K, rng)
        if batch_seed is not None:
            rng = np.random.default_rng(batch_seed)
        members.append(Member(model=model, optimizer=optimizer, rng=rng))
    return Trainer(members, settings)


def network(spec: EnsembleSpec, D: int, K: int, rng) -> types.SimpleNamespace:
    """A network drawn from ``rng`` by :func:`frnn.init` with ``spec.init`` (e.g. "torch":
    W, R, V, b, c uniform in ±1/√I, as torch's nn.RNN(D, I) and nn.Linear(I, K) draw them;
    "identity": the IRNN) and ``init_scale`` as its scale."""
    net = types.SimpleNamespace(activation=spec.activation, loss=spec.loss)
    return init(
        net,
        D,
        spec.hidden_size,
        K,
        rng=rng,
        dtype=spec.dtype,
        bias=spec.bias,
        scheme=spec.init,
        scale=spec.init_scale,
    )


def outputs(networks: list, x: np.ndarray, lengths: np.ndarray, per_step: int = 0) -> np.ndarray:
    """The networks' averaged outputs on x (n, T', D): (n, K), or (n, T', K) per step.

    ``per_step`` is K for a many-to-many ensemble (an output at every step), else 0.  Each
    network runs on a :func:`~frnn.engine.protocol.detached` copy: the shared networks
    keep no states, so threads may predict at once.
    """
    n, T, _ = x.shape
    I = networks[0].W.shape[0]
    check(  # one network's at a time: the states a (n, T', I) forward keeps
        n * T * I * x.itemsize,
        f"the states of {n:,} series ({n:,} × {T:,} steps × {I:,} units × {x.itemsize} bytes)",
        "predict a part of the series at a time",
    )
    out = []
    for net in networks:
        local = detached(net)  # forward writes its states here, not into the shared net
        if not per_step:
            forward(local, x, None, lengths=lengths)
            out.append(np.asarray(local.z, dtype=np.float64).reshape(x.shape[0], -1))  # (n, K)
            continue
        dummy = np.zeros(x.shape[:2] + (per_step,), dtype=x.dtype)  # (n, T', K)
        forward(local, x, dummy, lengths=lengths)  # many-to-many: z at every step
        out.append(np.asarray(local.z, dtype=np.float64))  # (n, T', K)
    return np.mean(out, axis=0)
