"""Type aliases shared across detente."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

FloatArray: TypeAlias = NDArray[np.float64]
BoolArray: TypeAlias = NDArray[np.bool_]
#: Parameters of one block of samples: name -> array of shape (n,), in the model's units.
Params: TypeAlias = Mapping[str, FloatArray]
#: Model state of one block: variable name -> array of shape (n,).
State: TypeAlias = Mapping[str, FloatArray]
#: Seeds accepted by the public API.
SeedLike: TypeAlias = int | np.random.SeedSequence | None
