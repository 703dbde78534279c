"""Optimisers with torch.optim's exact update rules: SGD (with momentum) and Adam.

The rules are reproduced operation for operation, so a run here and a run in PyTorch from
the same gradients follow the same trajectory (the tests hold them to 1e-12).  Parameters
are dicts of numpy arrays updated in place, so the arrays a model holds are the arrays the
optimiser moves.  ``lr_factors`` gives a parameter its own rate, lr × factor (a smaller
one for R, as the LRU and other long-memory recipes use): torch.optim's parameter groups,
one group per factor.

The training loop's steps (``_step``) run Adam's update as one compiled pass a parameter
(``adam_kernel``, where numba is usable): the same operations in the same order, so the
same bits as the numpy passes the public ``step`` runs.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .._validate import Interval, InvalidParameterError, Options, check_named_arrays

__all__ = ["OPTIMIZERS", "NO_DECAY", "SGD", "Adam", "make_optimizer"]

# Parameters that weight decay leaves alone: the biases.  An L2 penalty on b and c does not
# limit the network's capacity (they scale nothing) but pulls the outputs towards σ(0) =
# 0.5 and the states towards the input's mean drive; so, as most recipes do (and as
# torch.optim does when biases go in a param group with weight_decay=0), only the weights
# W, R, V decay.
NO_DECAY = frozenset({"b", "c"})


OPTIMIZERS = ("adam", "sgd")  # the names make_optimizer takes

_RATE = Interval("real", 0, closed="neither")  # a learning rate or an epsilon: > 0
_DECAY = Interval("real", 0)  # a weight decay: ≥ 0
_FRACTION = Interval("real", 0, 1)  # momentum, dampening, the betas: [0, 1)


def _check(rule: Interval, value, name: str) -> float:
    return float(rule.check(value, name))


def _check_step(params, grads, lr_factors) -> None:
    """Raise unless ``params`` and ``grads`` are dicts of arrays with the same names and
    shapes, and every name in ``lr_factors`` is a parameter's (the public ``step``'s check;
    the training loop's arrays skip it)."""
    check_named_arrays(grads, "grads", like=check_named_arrays(params, "params", in_place=True))
    unknown = sorted(set(lr_factors) - set(params))
    if unknown:
        raise ValueError(
            f"lr_factors names parameters the step does not have: {unknown}; the "
            f"parameters are {sorted(params)}"
        )


def check_lr_factors(lr_factors) -> dict[str, float]:
    """``lr_factors`` as a dict {parameter name: factor ≥ 0}; None is {} (every factor 1).

    A factor 0 freezes its parameter (torch: a group with lr = 0), e.g. R = 0 for an
    ablation without recurrence."""
    if lr_factors is None:
        return {}
    if not isinstance(lr_factors, dict) or not all(isinstance(k, str) for k in lr_factors):
        raise InvalidParameterError(
            f"lr_factors must be None or a dict {{parameter name: factor}}, e.g. "
            f"{{'R': 0.1}}; got {lr_factors!r}"
        )
    return {name: _check(_DECAY, f, f"lr_factors[{name!r}]") for name, f in lr_factors.items()}


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
    weight_decay : float ≥ 0, added to the gradient as λ θ (L2); never to the biases
        (``NO_DECAY``)
    lr_factors : dict {name: factor ≥ 0} or None, parameter ``name`` moves at lr × factor
        (torch: a parameter group of its own with that lr; 0 freezes it); the others at lr
    """

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        lr_factors: dict[str, float] | None = None,
    ):
        self.lr = _check(_RATE, lr, "lr")
        self.momentum = _check(_FRACTION, momentum, "momentum")
        self.dampening = _check(_FRACTION, dampening, "dampening")
        self.weight_decay = _check(_DECAY, weight_decay, "weight_decay")
        self.nesterov = bool(nesterov)
        self.lr_factors = check_lr_factors(lr_factors)
        self.buffers: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from the same-named ``grads``.

        Parameters
        ----------
        params : dict {name: ndarray}
            The parameters θ (e.g. ``{"W": (I, D), "R": (I, I), "V": (K, I)}``), updated in
            place; a name's momentum buffer is created on its first step.
        grads : dict {name: ndarray}
            g for every name of ``params``, each of its parameter's shape (as
            :func:`frnn.backward` returns them); other names are ignored.

        Raises
        ------
        TypeError
            ``params`` or ``grads`` is not a dict of numpy arrays.
        ValueError
            A parameter has no gradient of its shape, or ``lr_factors`` names a parameter
            ``params`` lacks.
        """
        _check_step(params, grads, self.lr_factors)
        self._step(params, grads)

    def _step(
        self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], scale: float = 1.0
    ) -> None:
        """``step`` on arrays already checked (the training loop's, every mini-batch), each
        gradient first multiplied by ``scale`` (the clipping factor; 1: none)."""
        for name, p in params.items():
            g = grads[name] if scale == 1.0 else grads[name] * scale
            if self.weight_decay and name not in NO_DECAY:
                g = g + self.weight_decay * p
            if self.momentum:
                buf = self.buffers.get(name)
                if buf is None:
                    buf = self.buffers[name] = np.array(g, dtype=p.dtype)
                else:
                    buf *= self.momentum
                    buf += (1.0 - self.dampening) * g
                g = g + self.momentum * buf if self.nesterov else buf
            p -= self.lr * self.lr_factors.get(name, 1.0) * g

    def state_dict(self) -> dict:
        """The optimiser's state: hyper-parameters and momentum buffers (copies)."""
        return {
            "kind": "sgd",
            "lr": self.lr,
            "momentum": self.momentum,
            "dampening": self.dampening,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
            "lr_factors": dict(self.lr_factors),
            "buffers": {n: b.copy() for n, b in self.buffers.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned.

        Parameters
        ----------
        state : dict
            An SGD state: ``kind`` "sgd", the hyper-parameters (``lr_factors`` may be
            absent: states written before it) and the momentum ``buffers`` by name.

        Raises
        ------
        ValueError
            ``state`` is not an SGD optimiser's state (an Adam's, or not a dict), or a
            hyper-parameter in it is out of range.
        KeyError
            A field of the state is missing.
        """
        _expect_kind(state, "sgd")
        self.__init__(
            state["lr"],
            state["momentum"],
            state["dampening"],
            state["nesterov"],
            state["weight_decay"],
            state.get("lr_factors"),  # states written before lr_factors have none
        )
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
    weight_decay : float ≥ 0, added to the gradient as λ θ (L2, not AdamW); never to the
        biases (``NO_DECAY``)
    lr_factors : dict {name: factor ≥ 0} or None, parameter ``name`` moves at η × factor
        (torch: a parameter group of its own with that lr; 0 freezes it); the others at η
    """

    def __init__(
        self,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        lr_factors: dict[str, float] | None = None,
    ):
        self.lr = _check(_RATE, lr, "lr")
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}")
        self.betas = tuple(_check(_FRACTION, b, "betas") for b in betas)
        self.eps = _check(_RATE, eps, "eps")
        self.weight_decay = _check(_DECAY, weight_decay, "weight_decay")
        self.lr_factors = check_lr_factors(lr_factors)
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from the same-named ``grads``.

        Advances the step count t by one; a name's moments m, v start at zero on its first
        step.

        Parameters
        ----------
        params : dict {name: ndarray}
            The parameters θ (e.g. ``{"W": (I, D), "R": (I, I), "V": (K, I)}``), updated in
            place.
        grads : dict {name: ndarray}
            g for every name of ``params``, each of its parameter's shape (as
            :func:`frnn.backward` returns them); other names are ignored.

        Raises
        ------
        TypeError
            ``params`` or ``grads`` is not a dict of numpy arrays.
        ValueError
            A parameter has no gradient of its shape, or ``lr_factors`` names a parameter
            ``params`` lacks.
        """
        _check_step(params, grads, self.lr_factors)
        # numpy's passes: outside the training loop's np.errstate they warn of an overflow
        # (a gradient of 1e200 squared), and they take grads of another dtype than params
        self._step(params, grads, compiled=False)

    def _step(
        self,
        params: dict[str, np.ndarray],
        grads: dict[str, np.ndarray],
        scale: float = 1.0,
        *,
        compiled: bool = True,
    ) -> None:
        """``step`` on arrays already checked (the training loop's, every mini-batch), each
        gradient first multiplied by ``scale`` (the clipping factor; 1: none).

        ``compiled`` runs each parameter's update in one compiled pass where numba is
        usable and the arrays allow it (:func:`_fits`), else numpy's passes: the same bits.
        """
        beta1, beta2 = self.betas
        self.t += 1
        correction1 = 1.0 - beta1**self.t
        correction2_sqrt = math.sqrt(1.0 - beta2**self.t)
        kernel = adam_kernel() if compiled else None
        for name, p in params.items():
            g = grads[name]
            m, v = self.m.get(name), self.v.get(name)
            if m is None:
                m = self.m[name] = np.zeros_like(p)
            if v is None:
                v = self.v[name] = np.zeros_like(p)
            decays = bool(self.weight_decay) and name not in NO_DECAY
            step_size = self.lr * self.lr_factors.get(name, 1.0) / correction1
            if kernel is not None and _fits(p, g, m, v):
                T = p.dtype.type  # every scalar in the arrays' dtype, as numpy casts them
                kernel(
                    p, g, m, v, scale != 1.0, T(scale), T(self.weight_decay), decays,
                    T(1.0 - beta1), T(beta2), T(1.0 - beta2), T(correction2_sqrt),
                    T(self.eps), T(step_size),
                )  # fmt: skip
                continue
            if scale != 1.0:
                g = g * scale
            if decays:
                g = g + self.weight_decay * p
            m += (1.0 - beta1) * (g - m)  # torch's lerp_ with weight < 0.5
            v *= beta2
            v += (1.0 - beta2) * (g * g)
            denom = np.sqrt(v) / correction2_sqrt + self.eps
            p -= step_size * (m / denom)

    def state_dict(self) -> dict:
        """The optimiser's state: hyper-parameters, step count and both moments (copies)."""
        return {
            "kind": "adam",
            "lr": self.lr,
            "betas": list(self.betas),
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "lr_factors": dict(self.lr_factors),
            "t": self.t,
            "m": {n: a.copy() for n, a in self.m.items()},
            "v": {n: a.copy() for n, a in self.v.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned.

        Parameters
        ----------
        state : dict
            An Adam state: ``kind`` "adam", the hyper-parameters (``lr_factors`` may be
            absent: states written before it), the step count ``t`` and the moments ``m``
            and ``v`` by name.

        Raises
        ------
        ValueError
            ``state`` is not an Adam optimiser's state (an SGD's, or not a dict), or a
            hyper-parameter in it is out of range.
        KeyError
            A field of the state is missing.
        """
        _expect_kind(state, "adam")
        betas, lr_factors = tuple(state["betas"]), state.get("lr_factors")  # None: an old state
        self.__init__(state["lr"], betas, state["eps"], state["weight_decay"], lr_factors)
        self.t = int(state["t"])
        self.m = {n: np.array(a) for n, a in state["m"].items()}
        self.v = {n: np.array(a) for n, a in state["v"].items()}


@functools.cache
def adam_kernel():
    """``adam_kernel.adam_update``, or None where numba is unusable (numpy's passes run).

    Decided once per process, after a trial call (which compiles the pass or loads it
    from numba's disk cache); ``adam_kernel.cache_clear()`` decides again.
    """
    from ..engine import disk_cache
    from ..engine.compiled import numba_kernels  # numba's import decided, once, there

    if numba_kernels() is None:
        return None
    try:
        from . import adam_kernel as module

        disk_cache.guard(module)  # before the first compile: workers may save side by side
        adam_update = module.adam_update
        one = np.ones(1)
        adam_update(one, one, np.zeros(1), np.zeros(1), False, 1.0, 0.0, False, *[0.5] * 6)
    except Exception:  # numba failing to compile or to read its cache here
        return None
    return adam_update


def _fits(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> bool:
    """Whether the compiled pass may take these arrays: one shape, one float dtype, all
    C-contiguous (it indexes them flat, unchecked), and the three it writes writeable."""
    return (
        p.dtype in _FLOATS
        and p.flags.writeable
        and m.flags.writeable
        and v.flags.writeable
        and p.shape == g.shape == m.shape == v.shape
        and p.dtype == g.dtype == m.dtype == v.dtype
        and p.flags.c_contiguous
        and g.flags.c_contiguous
        and m.flags.c_contiguous
        and v.flags.c_contiguous
    )


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _expect_kind(state, kind: str) -> None:
    if not isinstance(state, dict) or state.get("kind") != kind:
        found = state.get("kind") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"state must be a {kind} optimiser state; got {found!r}")


def make_optimizer(
    name: str,
    lr: float,
    *,
    momentum: float = 0.9,
    weight_decay: float = 0.0,
    lr_factors: dict[str, float] | None = None,
) -> SGD | Adam:
    """``"adam"`` or ``"sgd"`` (with ``momentum``) at learning rate ``lr`` (× ``lr_factors``).

    Parameters
    ----------
    name : {"adam", "sgd"}
        :class:`Adam` with its default betas and eps, or :class:`SGD` (no dampening, no
        Nesterov).
    lr : float > 0
        The learning rate η.
    momentum : float in [0, 1), default 0.9
        μ of SGD; Adam ignores it.
    weight_decay : float ≥ 0, default 0
        L2 added to the gradient as λ θ, never to the biases.
    lr_factors : dict {name: factor ≥ 0} or None
        Parameter ``name`` moves at lr × factor; the others at lr.

    Returns
    -------
    Adam or SGD

    Raises
    ------
    ValueError
        ``name`` is not one of the two, or a hyper-parameter is out of range (frnn's
        InvalidParameterError: also a TypeError).
    """
    Options(OPTIMIZERS).check(name, "optimizer")
    if name == "adam":
        return Adam(lr, weight_decay=weight_decay, lr_factors=lr_factors)
    return SGD(lr, momentum=momentum, weight_decay=weight_decay, lr_factors=lr_factors)
