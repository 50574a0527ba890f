"""Build ``digitheat_widget/data/colormaps.npz``: matplotlib's colormaps as 256-entry RGB tables.

matplotlib is needed only here (and in the tests that compare against it), never at run
time. Each table is ``cmap(np.linspace(0, 1, 256))[:, :3]`` as uint8, which is exactly
matplotlib's own 256-entry lookup table. Reversed maps ("_r") are derived at run time.
matplotlib's colormaps: viridis, magma, inferno, plasma and cividis are CC0; the others
are covered by matplotlib's licence (PSF-based) and ColorBrewer's (Apache 2.0).

Run from the repository root: ``python scripts/make_colormaps.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

NAMES = [
    "hot", "viridis", "magma", "inferno", "plasma", "cividis",
    "gray", "Greys", "bone", "Blues", "Reds", "YlOrRd",
    "RdBu", "coolwarm", "bwr", "seismic", "PiYG", "PRGn",
]
OUTPUT = Path(__file__).resolve().parents[1] / "digitheat_widget" / "data" / "colormaps.npz"

if __name__ == "__main__":
    import matplotlib

    tables = {}
    for name in NAMES:
        rgba = matplotlib.colormaps[name](np.linspace(0.0, 1.0, 256))
        tables[name] = np.round(rgba[:, :3] * 255).astype(np.uint8)
    np.savez_compressed(OUTPUT, **tables)
    print(f"wrote {OUTPUT}: {len(tables)} colormaps, {OUTPUT.stat().st_size} bytes")
