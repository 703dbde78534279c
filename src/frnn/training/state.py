"""The epoch loop's complete training state, captured after an epoch and restored to resume.

Everything a run depends on — parameters, optimiser moments, generator states, the epoch
counter, the early-stopping memory, the history — is in the state, so a run resumed from
it ends with bit-identical parameters.
"""

from __future__ import annotations

import numpy as np

from ..engine.batch import parameter_names

__all__ = ["STATE_VERSION", "capture", "restore"]

STATE_VERSION = 1


def capture(trainer) -> dict:
    """The complete training state of a :class:`frnn.training.loop.Trainer`.

    {"version": 1, "epoch": epochs done,
     "members": [{"params": {"W", "R", "V"} (and "b", "c" with biases),
                  "optimizer": its state_dict(),
                  "rng": the shuffling generator's bit_generator.state}, ...],
     "history": {key: [one value per epoch]} (the trainer's history keys),
     "best": {"loss": best validation loss or None, "epoch", "params": [...] or None},
     "wait": epochs since the best validation loss}

    Every array is a copy: later training does not change a state already taken.
    """
    return {
        "version": STATE_VERSION,
        "epoch": trainer.epoch,
        "members": [
            {
                "params": {
                    name: getattr(member.model, name).copy()
                    for name in parameter_names(member.model)
                },
                "optimizer": member.optimizer.state_dict(),
                "rng": member.rng.bit_generator.state,
            }
            for member in trainer.members
        ],
        "history": {key: list(values) for key, values in trainer.history.items()},
        "best": {
            "loss": trainer.best["loss"],
            "epoch": trainer.best["epoch"],
            "params": trainer.best["params"],
        },
        "wait": trainer.wait,
    }


def restore(trainer, state: dict) -> None:
    """Continue ``trainer`` from what :func:`capture` returned; ValueError for a damaged state."""
    try:
        _restore(trainer, state)
    except (KeyError, TypeError, IndexError, AttributeError) as error:
        raise ValueError(
            f"resume_state is damaged (a checkpoint missing a key or holding a wrong "
            f"type): {type(error).__name__}: {error}"
        ) from None


def _restore(trainer, state: dict) -> None:
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        found = state.get("version") if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"resume_state must be a training state of version {STATE_VERSION}; got "
            f"version {found!r}"
        )
    if len(state["members"]) != len(trainer.members):
        raise ValueError(
            f"resume_state holds {len(state['members'])} networks; this "
            f"estimator trains {len(trainer.members)} (n_ensemble)"
        )
    for member, saved in zip(trainer.members, state["members"], strict=True):
        model = member.model
        names = parameter_names(model)
        if set(saved["params"]) != set(names):
            raise ValueError(
                f"resume_state does not fit this estimator: its networks have parameters "
                f"{sorted(saved['params'])}, this one has {sorted(names)} (bias)"
            )
        for name in names:
            array = np.asarray(saved["params"][name])
            if array.shape != getattr(model, name).shape:
                raise ValueError(
                    f"resume_state does not fit this estimator and data: its {name} is "
                    f"{array.shape}, the network's is {getattr(model, name).shape}"
                )
            setattr(model, name, np.array(array, dtype=model.W.dtype))
        member.optimizer.load_state_dict(saved["optimizer"])
        member.rng.bit_generator.state = saved["rng"]
    trainer.epoch = int(state["epoch"])
    trainer.history = _history(state["history"], trainer.history, trainer.epoch)
    best = state["best"]
    params = best["params"]
    trainer.best = {
        "loss": best["loss"],
        "epoch": int(best["epoch"]),
        "params": None
        if params is None
        else [{name: np.array(array) for name, array in p.items()} for p in params],
    }
    trainer.wait = int(state["wait"])


# What every state has recorded since the first version; later keys (train_loss, test_*,
# *_rmse) are None for the epochs of a state written before them.
_ALWAYS = ("loss", "accuracy", "grad_norm", "val_loss", "val_accuracy", "seconds")


def _history(saved: dict, keys, epochs: int) -> dict[str, list]:
    """The trainer's history keys from a saved history; missing newer keys are None."""
    history = {}
    for key in keys:
        if key in saved or key in _ALWAYS:
            history[key] = list(saved[key])
        else:
            history[key] = [None] * epochs
        if len(history[key]) != epochs:
            raise ValueError(
                f"resume_state is damaged: its history holds {len(history[key])} values of "
                f"{key} for {epochs} epochs"
            )
    return history
