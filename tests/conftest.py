import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# make test (and so CI) runs `pytest --hypothesis-profile=ci`: the same examples on every run,
# so a red CI is reproducible; a plain `pytest` draws new examples each time.
settings.register_profile("ci", derandomize=True)

sys.path.insert(0, str(Path(__file__).parent))  # for torch_reference


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
