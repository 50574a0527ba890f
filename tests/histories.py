"""Frame histories shared by the frames tests of the unit and page tiers."""

from __future__ import annotations

import numpy as np

from digitheat_widget import DigitHeatmapGrid


def history(count: int = 6, seed: int = 0) -> np.ndarray:
    """``count`` frames of 10 maps of 7 x 6, each frame's values a step larger."""
    rng = np.random.default_rng(seed)
    return rng.random((count, 10, 7, 6)) * np.linspace(0.1, 1.0, count)[:, None, None, None]


def recorded(frames: np.ndarray, **kwargs) -> DigitHeatmapGrid:
    """A grid that recorded ``frames`` one by one, as a training loop would."""
    grid = DigitHeatmapGrid(frames[0], **kwargs)
    for epoch, maps in enumerate(frames):
        grid.data = maps
        assert grid.record(f"epoch {epoch}") == epoch
    return grid
