"""Animated pictures of a grid's frames (issue "Watch it learn, hand it out", item 3):
``save("training.gif")`` (and .webp, .apng) drawn in Python, one picture per frame with
the colours matplotlib's colormap gives each frame's values, looping at the asked speed;
the command line animates a (T, N, H, W) .npy."""

from __future__ import annotations


from fractions import Fraction

import matplotlib
import numpy as np
import pytest
from PIL import Image

from cli import run_cli

from digitheat_widget import DigitHeatmapGrid

#: GIF keeps 256 colours a frame (the colorbar's gradient has more): cells may move a few
#: units; WebP (lossless) and APNG keep them.
TOLERANCE = {".gif": 10, ".webp": 4, ".apng": 4}


def history(count: int = 5) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.random((count, 4, 5, 6)) * np.arange(1, count + 1)[:, None, None, None]


def frames_of(path) -> list[np.ndarray]:
    image = Image.open(path)
    out = []
    for index in range(image.n_frames):
        image.seek(index)
        out.append(np.asarray(image.convert("RGB")).astype(int))
    return out


def cell_centre(grid: DigitHeatmapGrid, panel: int, row: int, col: int) -> tuple[int, int]:
    g = grid.figure.geometry
    x, y = g.plot_origin(panel)
    return int(y + (row + 0.5) * g.cell), int(x + (col + 0.5) * g.cell)


@pytest.mark.parametrize("suffix", [".gif", ".webp", ".apng"])
def test_each_frame_has_its_colours(tmp_path, suffix):
    frames = history()
    grid = DigitHeatmapGrid(frames[0])
    grid.frames = frames
    path = tmp_path / f"training{suffix}"
    grid.save(path, fps=4)
    pictures = frames_of(path)
    assert len(pictures) == len(frames)
    info = Image.open(path).info
    assert info.get("loop") == 0
    if suffix != ".webp":  # Pillow reads a WebP's duration per frame only
        assert info.get("duration") == 250
    low, high = frames.min(), frames.max()  # fixed limits: the range of every frame
    hot = matplotlib.colormaps["hot"]
    for t, picture in enumerate(pictures):
        for panel, row, col in [(0, 0, 0), (1, 2, 3), (3, 4, 5)]:
            y, x = cell_centre(grid, panel, row, col)
            expected = np.array(hot((frames[t, panel, row, col] - low) / (high - low))[:3]) * 255
            assert np.abs(picture[y, x] - expected).max() <= TOLERANCE[suffix], (t, panel)
    grid.close()


def test_per_frame_limits_stretch_each_frame(tmp_path):
    frames = history()
    grid = DigitHeatmapGrid(frames[0])
    grid.frames = frames
    grid.frame_limits = "per-frame"
    grid.save(tmp_path / "t.apng")
    for t, picture in enumerate(frames_of(tmp_path / "t.apng")):
        panel, row, col = np.unravel_index(np.argmax(frames[t]), frames[t].shape)
        y, x = cell_centre(grid, panel, row, col)
        assert picture[y, x].tolist() == [255, 255, 255]  # each frame's top is hot's white
    grid.close()


def test_animation_refuses_what_it_cannot_draw(tmp_path, monkeypatch):
    grid = DigitHeatmapGrid()
    with pytest.raises(ValueError, match=r"is an animation of the grid's frames, and it has none"):
        grid.save(tmp_path / "x.gif")
    grid.frames = np.stack([grid.data, grid.data * 2])
    with pytest.raises(ValueError, match=r"fps expected frames per second in 0.1..50, got 0"):
        grid.save(tmp_path / "x.gif", fps=0)
    from digitheat_widget.export import animation

    monkeypatch.setattr(animation, "MAX_ANIMATION_PIXELS", 100_000)
    with pytest.raises(ValueError, match=r"2 frames of \d+x\d+ px exceed 100,000 pixels in all"):
        grid.save(tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()
    grid.close()


def test_cli_animates_a_4d_tensor(tmp_path):
    frames = history(3)
    np.save(tmp_path / "history.npy", frames)
    done = run_cli("history.npy", "-o", "t.gif", "--fps", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "t.gif").n_frames == 3
    assert Image.open(tmp_path / "t.gif").info["duration"] == 500
    page = run_cli("history.npy", "-o", "t.html", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert '"frames":{"dtype":"float32","shape":[3,4,5,6]' in (tmp_path / "t.html").read_text()
    refused = run_cli("-o", "x.gif", cwd=tmp_path)
    assert refused.returncode == 1
    assert "animates frames: give a (T, N, H, W) .npy tensor" in refused.stderr


def test_exports_are_readable_by_others_as_open_would_make_them(tmp_path):
    """A page or picture is handed out (a web server, a shared folder): not private 0600."""
    import os

    umask = os.umask(0o022)
    try:
        grid = DigitHeatmapGrid()
        grid.record()
        for name in ("g.html", "g.svg", "g.png", "g.gif"):
            grid.save(tmp_path / name)
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name
        grid.close()
    finally:
        os.umask(umask)


@pytest.mark.parametrize("frame_limits", ["fixed", "per-frame"])
def test_animation_draws_the_compare_view_shown(tmp_path, frame_limits):
    """Issue 24: comparing, an animation drew the data's frames whatever the view (with the
    difference's colormap and limits). Each frame now shows what the view makes of it."""
    frames = history()
    reference = frames.mean(axis=0)
    grid = DigitHeatmapGrid(frames[0])
    grid.frames = frames
    grid.frame_limits = frame_limits
    grid.compare(reference)
    cells = [(0, 0, 0), (1, 2, 3), (3, 4, 5)]
    # The difference, on RdBu_r, symmetric about 0: over every frame, or each frame's own.
    grid.showing = "difference"
    grid.save(tmp_path / "difference.apng")
    rdbu = matplotlib.colormaps["RdBu_r"]
    whole_top = np.abs(frames - reference).max()
    for t, picture in enumerate(frames_of(tmp_path / "difference.apng")):
        top = whole_top if frame_limits == "fixed" else np.abs(frames[t] - reference).max()
        for panel, row, col in cells:
            value = frames[t, panel, row, col] - reference[panel, row, col]
            expected = np.array(rdbu((value + top) / (2 * top))[:3]) * 255
            y, x = cell_centre(grid, panel, row, col)
            assert np.abs(picture[y, x] - expected).max() <= TOLERANCE[".apng"], (t, panel)
    # The reference, on the grid's colormap, in every frame.
    grid.showing = "reference"
    grid.save(tmp_path / "reference.apng")
    hot = matplotlib.colormaps["hot"]
    for t, picture in enumerate(frames_of(tmp_path / "reference.apng")):
        low = min(reference.min(), frames.min() if frame_limits == "fixed" else frames[t].min())
        high = max(reference.max(), frames.max() if frame_limits == "fixed" else frames[t].max())
        for panel, row, col in cells:
            expected = np.array(hot((reference[panel, row, col] - low) / (high - low))[:3]) * 255
            y, x = cell_centre(grid, panel, row, col)
            assert np.abs(picture[y, x] - expected).max() <= TOLERANCE[".apng"], (t, panel)
    grid.close()


@pytest.mark.parametrize("fps", [np.int64(5), np.float32(5), Fraction(5), 5, 5.0])
def test_fps_is_any_real_number(tmp_path, fps):
    """Issue 24: numpy's numbers and a Fraction were refused as fps."""
    grid = DigitHeatmapGrid(history(2)[0])
    grid.frames = history(2)
    grid.save(tmp_path / "t.gif", fps=fps)
    assert Image.open(tmp_path / "t.gif").info["duration"] == 200
    for wrong in (True, np.True_, "5", 0.05, 51):
        with pytest.raises(ValueError, match="fps expected frames per second in 0.1..50"):
            grid.save(tmp_path / "u.gif", fps=wrong)
    grid.close()
