"""Build ``digitheat_widget/data/sample_digits.npy``: the bundled 10x7x6 sample.

Source: the "Optical Recognition of Handwritten Digits" data set (E. Alpaydin and
C. Kaynak, UCI Machine Learning Repository, licence CC BY 4.0), in the 8x8 form that
scikit-learn ships as ``sklearn.datasets.load_digits`` (1,797 images, intensities 0-16).

Recipe (scikit-learn is needed only here, never at run time):

1. resample every 8x8 image to 7 rows x 6 columns by area averaging (each output
   cell averages the input pixels it overlaps, weighted by overlap);
2. take the mean image of each class 0-9;
3. sharpen by cubing, so strokes stand out and the background falls to about 0
   (plain class means, normalised over all 420 cells, peak at only ~0.0066);
4. normalise all 420 cells jointly so they sum to 1 (one joint distribution),
   which puts the brightest cells near 0.014, as in the reference figure.

Run from the repository root: ``python scripts/make_sample_data.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT_ROWS, OUT_COLS = 7, 6
OUTPUT = Path(__file__).resolve().parents[1] / "digitheat_widget" / "data" / "sample_digits.npy"


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix whose row i averages the input cells overlapping output cell i."""
    weights = np.zeros((n_out, n_in))
    scale = n_in / n_out
    for i in range(n_out):
        start, stop = i * scale, (i + 1) * scale
        for j in range(n_in):
            weights[i, j] = max(0.0, min(stop, j + 1) - max(start, j))
    return weights / weights.sum(axis=1, keepdims=True)


def build() -> np.ndarray:
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.images.astype(np.float64)  # (1797, 8, 8)
    row_w = area_weights(images.shape[1], OUT_ROWS)
    col_w = area_weights(images.shape[2], OUT_COLS)
    small = np.einsum("ri,nij,cj->nrc", row_w, images, col_w)
    means = np.stack([small[digits.target == k].mean(axis=0) for k in range(10)])
    sharpened = means**3
    return sharpened / sharpened.sum()


if __name__ == "__main__":
    tensor = build()
    np.save(OUTPUT, tensor.astype(np.float64))
    print(f"wrote {OUTPUT}: shape {tensor.shape}, max {tensor.max():.5f}, sum {tensor.sum():.6f}")
