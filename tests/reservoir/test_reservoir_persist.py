"""The read-out's file rules against the features' draws (issue 24): every window
ReservoirFeatures draws is one the loader (:mod:`frnn.reservoir.persist`) takes, and a
window it could not draw is refused; tests/io/test_model_files_strict.py damages the files."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir import ReservoirFeatures
from frnn.reservoir import persist as readout_file

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("window", ["dilated", "frame"])
@pytest.mark.parametrize("max_steps", [None, 3])
def test_every_window_the_features_draw_is_one_the_loader_takes(window, max_steps):
    """The loader's window rule and ReservoirFeatures' draw, held together."""
    for T, fraction in ((2, 0.5), (9, 0.5), (40, 1.0), (301, 0.25)):
        features = ReservoirFeatures(
            n_reservoirs=12, units=2, window=window, max_steps=max_steps, difference=True,
            max_frame_fraction=fraction, random_state=T,
        ).fit(RNG.standard_normal((3, T, 1)))  # fmt: skip
        for r, res in enumerate(features.reservoirs_):
            window_of = (res.taps, res.spacing, res.stride)
            readout_file._check_window(features, T, r, window_of, res.channel)
            with pytest.raises(ValueError, match="not one drawn"):
                readout_file._check_window(
                    features, T, r, (res.taps, res.spacing + T, res.stride), res.channel
                )
