"""Learning from data: optimisers, global-norm clipping, mini-batches and truncated BPTT.

The optimisers reproduce torch.optim's update rules operation for operation, so a run
here and a run in PyTorch from the same gradients follow the same trajectory (the tests
hold them to 1e-12).  Parameters are dicts of numpy arrays updated in place, so the
arrays a model holds are the arrays the optimiser moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ._validate import check_choice
from .network import backward, forward

__all__ = ["SGD", "Adam", "make_optimizer", "clip_grad_norm", "minibatches",
           "sequence_gradients", "learning_rate_at", "NonFiniteLossError"]


class NonFiniteLossError(RuntimeError):
    """The training loss became NaN or infinite; the parameters are the last good ones."""


def _check_rate(value, name: str, *, low: float = 0.0, high: float = math.inf,
                open_low: bool = False) -> float:
    ok = isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool)
    if ok:
        ok = (low < value if open_low else low <= value) and value < high and math.isfinite(value)
    if not ok:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be a real number in {bracket}{low}, {high}); got {value!r}")
    return float(value)


class SGD:
    """Stochastic gradient descent with momentum, torch.optim.SGD's rule.

        b ← μ b + (1 − τ) g   (b = g on the first step),   g ← g + μ b if nesterov else b
        θ ← θ − η g

    Parameters
    ----------
    lr : float > 0, the learning rate η
    momentum : float in [0, 1), μ (0 = plain SGD)
    dampening : float in [0, 1), τ
    nesterov : bool
    weight_decay : float ≥ 0, added to the gradient as λ θ (L2)
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        self.lr = _check_rate(lr, "lr", open_low=True)
        self.momentum = _check_rate(momentum, "momentum", high=1.0)
        self.dampening = _check_rate(dampening, "dampening", high=1.0)
        self.weight_decay = _check_rate(weight_decay, "weight_decay")
        self.nesterov = bool(nesterov)
        self.buffers: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from the same-named ``grads``."""
        for name, p in params.items():
            g = grads[name]
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                buf = self.buffers.get(name)
                if buf is None:
                    buf = self.buffers[name] = np.array(g, dtype=p.dtype)
                else:
                    buf *= self.momentum
                    buf += (1.0 - self.dampening) * g
                g = g + self.momentum * buf if self.nesterov else buf
            p -= self.lr * g

    def state_dict(self) -> dict:
        """The optimiser's state: hyper-parameters and momentum buffers (copies)."""
        return {"kind": "sgd", "lr": self.lr, "momentum": self.momentum,
                "dampening": self.dampening, "nesterov": self.nesterov,
                "weight_decay": self.weight_decay,
                "buffers": {n: b.copy() for n, b in self.buffers.items()}}

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned."""
        _expect_kind(state, "sgd")
        self.__init__(state["lr"], state["momentum"], state["dampening"], state["nesterov"],
                      state["weight_decay"])
        self.buffers = {n: np.array(b) for n, b in state["buffers"].items()}


class Adam:
    """Adam (Kingma & Ba 2015), torch.optim.Adam's rule including its bias correction.

        m ← m + (1 − β1)(g − m),   v ← β2 v + (1 − β2) g²,   t ← t + 1
        θ ← θ − (η / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)

    Parameters
    ----------
    lr : float > 0, η
    betas : (β1, β2), each in [0, 1)
    eps : float > 0, ε
    weight_decay : float ≥ 0, added to the gradient as λ θ (L2, not AdamW)
    """

    def __init__(self, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        self.lr = _check_rate(lr, "lr", open_low=True)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}")
        self.betas = tuple(_check_rate(b, "betas", high=1.0) for b in betas)
        self.eps = _check_rate(eps, "eps", open_low=True)
        self.weight_decay = _check_rate(weight_decay, "weight_decay")
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from the same-named ``grads``."""
        beta1, beta2 = self.betas
        self.t += 1
        step_size = self.lr / (1.0 - beta1**self.t)
        correction2_sqrt = math.sqrt(1.0 - beta2**self.t)
        for name, p in params.items():
            g = grads[name]
            if self.weight_decay:
                g = g + self.weight_decay * p
            m = self.m.setdefault(name, np.zeros_like(p))
            v = self.v.setdefault(name, np.zeros_like(p))
            m += (1.0 - beta1) * (g - m)  # torch's lerp_ with weight < 0.5
            v *= beta2
            v += (1.0 - beta2) * (g * g)
            denom = np.sqrt(v) / correction2_sqrt + self.eps
            p -= step_size * (m / denom)

    def state_dict(self) -> dict:
        """The optimiser's state: hyper-parameters, step count and both moments (copies)."""
        return {"kind": "adam", "lr": self.lr, "betas": list(self.betas), "eps": self.eps,
                "weight_decay": self.weight_decay, "t": self.t,
                "m": {n: a.copy() for n, a in self.m.items()},
                "v": {n: a.copy() for n, a in self.v.items()}}

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned."""
        _expect_kind(state, "adam")
        self.__init__(state["lr"], tuple(state["betas"]), state["eps"], state["weight_decay"])
        self.t = int(state["t"])
        self.m = {n: np.array(a) for n, a in state["m"].items()}
        self.v = {n: np.array(a) for n, a in state["v"].items()}


def _expect_kind(state, kind: str) -> None:
    if not isinstance(state, dict) or state.get("kind") != kind:
        found = state.get("kind") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"state must be a {kind} optimiser state; got {found!r}")


def make_optimizer(name: str, lr: float, *, momentum: float = 0.9,
                   weight_decay: float = 0.0) -> SGD | Adam:
    """``"adam"`` or ``"sgd"`` (with ``momentum``) at learning rate ``lr``."""
    check_choice(name, "optimizer", ("adam", "sgd"))
    if name == "adam":
        return Adam(lr, weight_decay=weight_decay)
    return SGD(lr, momentum=momentum, weight_decay=weight_decay)


def learning_rate_at(lr: float, epoch: int, epochs: int, schedule: str) -> float:
    """The learning rate of ``epoch`` (0-based) out of ``epochs``.

    ``"constant"`` keeps ``lr``; ``"cosine"`` decays it as lr·½(1 + cos(π e / E)), from lr
    at the first epoch towards 0 at the last (Loshchilov & Hutter 2017, without restarts).
    """
    check_choice(schedule, "schedule", ("constant", "cosine"))
    if schedule == "constant":
        return lr
    return lr * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


def clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float | None,
                   eps: float = 1e-6) -> float:
    """Scale ``grads`` in place so their global norm is at most ``max_norm``.

    Pascanu, Mikolov & Bengio (2013): if ‖g‖ ≥ θ then g ← θ g / ‖g‖, with ‖g‖ the
    norm of all gradients stacked.  As torch.nn.utils.clip_grad_norm_ does, the factor is
    θ / (‖g‖ + eps), applied when it is below 1 (eps = 0 gives the paper's rule exactly).

    Parameters
    ----------
    grads : dict of arrays, modified in place
    max_norm : float > 0, θ; None only measures the norm
    eps : float ≥ 0

    Returns
    -------
    float
        ‖g‖ before clipping.
    """
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if max_norm is not None:
        factor = max_norm / (norm + eps)
        if factor < 1.0:
            for g in grads.values():
                g *= factor
    return norm


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of one epoch: a permutation of range(n) drawn from ``rng``, cut into
    batches of ``batch_size`` (the last one may be smaller)."""
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def sequence_gradients(model, x: np.ndarray, y: np.ndarray, lengths: np.ndarray, *,
                       chunk_length: int | None = None, aux_weight: float = 0.0):
    """Loss and (truncated) BPTT gradients of a padded many-to-one batch.

        L = (1/B) Σ_b [ L(z(T_b), y_b) + c Σ_{t ≤ T_b} L(z(t), y_b) ],   c = ``aux_weight``

    The sequences are cut into chunks of ``chunk_length`` steps; each chunk starts from
    the state the previous chunk ended in (passed as ``a0``), and gradients stop at chunk
    boundaries.  A sequence's many-to-one loss lives in the chunk holding its own last
    step: in a padded batch sequences end in different chunks, so each chunk runs the
    sequences ending inside it with their targets and the ones going on without (or, with
    ``aux_weight``, with the per-step loss only); sequences already ended drop out.  With
    chunk_length ≥ T this is exact BPTT.

    Parameters
    ----------
    model : object with W (I, D), R (I, I), V (K, I) (see :func:`frnn.forward`)
    x : (B, T, D) zero-padded inputs
    y : (B, K) targets in [0, 1]
    lengths : (B,) true lengths in [1, T]
    chunk_length : int ≥ 1 or None (no truncation)
    aux_weight : float ≥ 0, c above: an auxiliary many-to-many loss, y_b at every step

    Returns
    -------
    loss : float
    grads : {"W": (I, D), "R": (I, I), "V": (K, I)}
    z_last : (B, K) the logits at each sequence's last step
    a_last : (B, I) each sequence's final state
    """
    B, T, _ = x.shape
    k = T if chunk_length is None else chunk_length
    grads = {name: np.zeros_like(getattr(model, name)) for name in ("W", "R", "V")}
    z_last = np.empty(y.shape, dtype=model.W.dtype)  # (B, K)
    a = np.zeros((B, model.W.shape[0]), dtype=model.W.dtype)  # (B, I) the carried state
    total = 0.0
    for start in range(0, T, k):
        stop = min(start + k, T)
        ending = np.flatnonzero((lengths > start) & (lengths <= stop))
        going_on = np.flatnonzero(lengths > stop)
        if ending.size:
            steps = lengths[ending] - start  # (n,) each one's length inside this chunk
            span = slice(start, start + int(steps.max()))
            total += _accumulate(model, grads, x[ending, span], y[ending], steps, a[ending],
                                 ending.size / B, aux_weight)
            z_last[ending] = model.z
            a[ending] = model.a[np.arange(ending.size), steps - 1]
        if going_on.size:
            xs, y_going = x[going_on, start:stop], y[going_on]
            if aux_weight:
                steps = np.full(going_on.size, stop - start)
                total += _accumulate(model, grads, xs, None, steps, a[going_on],
                                     going_on.size / B, aux_weight, y_every=y_going)
            else:
                forward(model, xs, None, a0=a[going_on])  # states only: no loss here
            a[going_on] = model.a[:, -1]
    return total, grads, z_last, a


def _accumulate(model, grads, x, y, steps, a0, weight, aux_weight, *, y_every=None) -> float:
    """Add ``weight`` × the gradients of one chunk's losses to ``grads``; return its loss."""
    total, lengths = 0.0, steps
    if y is not None:
        total += weight * forward(model, x, y, lengths=lengths, a0=a0)
        _add(grads, backward(model), weight)
        y_every = y
    if aux_weight:
        z_keep, a_keep = getattr(model, "z", None), getattr(model, "a", None)
        targets = np.broadcast_to(y_every[:, None, :], (*x.shape[:2], y_every.shape[1]))
        total += weight * aux_weight * forward(model, x, targets, lengths=lengths, a0=a0)
        _add(grads, backward(model), weight * aux_weight)
        if y is not None:
            model.z, model.a = z_keep, a_keep  # the caller reads the many-to-one logits
    return total


def _add(total: dict[str, np.ndarray], grads: dict[str, np.ndarray], weight: float) -> None:
    for name, g in grads.items():
        total[name] += weight * g
