"""Command line: draw a stack of maps to an SVG, PNG or HTML file without a browser.

    python -m digitheat_widget [tensor.npy] -o grid.png [--vmin X] [--vmax X]
        [--colormap NAME] [--highlight 3 8] [--columns N] [--labels a b c ...] [--scale 2]

    python -m digitheat_widget lite NOTEBOOKS_DIR -o SITE_DIR [--pyodide ...]

builds a JupyterLite course site instead (``digitheat_widget.lite``; ``lite --help``).

With no tensor the bundled sample is drawn. The output type follows the suffix of -o. A
(T, N, H, W) tensor is T frames: ``-o training.gif`` (or .webp, .apng) animates them
(``--fps``), ``-o page.html`` plays them; a static picture shows the last.
An option that applies to other outputs only (``--theme``: .html; ``--fps``: animations;
``--scale``: .png and animations) is refused, not ignored.
Any problem (missing or unreadable file, wrong shape, bad option) is reported as one
line on stderr and a non-zero exit status: 1 for bad input, 2 for bad usage (including
an output type that is not available).
"""

from __future__ import annotations

import argparse
import sys
import tokenize  # numpy parses a .npy header with it: a damaged one raises its TokenError
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from traitlets import TraitError

PROG = "python -m digitheat_widget"
SUFFIXES = (".svg", ".png", ".html", ".gif", ".webp", ".apng")
ANIMATED = (".gif", ".webp", ".apng")
#: Options that apply to some outputs only (option: its suffixes, what they are). Given
#: for another output they are refused, each alike, not ignored: `--fps 10 -o grid.svg`
#: most likely meant an animation, and a still picture written silently would hide that.
APPLIES = {
    "theme": ((".html",), ".html pages (pictures are drawn on white)"),
    "fps": (ANIMATED, "animations (.gif, .webp, .apng)"),
    "scale": ((".png", *ANIMATED), ".png pictures and animations (.gif, .webp, .apng)"),
}
DEFAULT_FPS = 5.0


class UsageError(Exception):
    """Bad command line: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (no usage block) and exits 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Draw an (N, H, W) tensor as a grid of heatmaps with one shared colour "
        "scale, to an SVG, PNG or HTML file.",
    )
    parser.add_argument("tensor", nargs="?", type=Path,
                        help="a .npy file holding an (N, H, W) array; default: the bundled sample")
    parser.add_argument("-o", "--output", required=True, type=Path,
                        help="output file; its suffix (.svg, .png or .html) chooses the format")
    parser.add_argument("--vmin", type=float, help="lower colour limit (default: data minimum)")
    parser.add_argument("--vmax", type=float, help="upper colour limit (default: data maximum)")
    parser.add_argument("--colormap", help="colormap name, e.g. hot, viridis, RdBu_r")
    parser.add_argument("--highlight", type=int, nargs="+", default=[], metavar="INDEX",
                        help="panel indices to emphasise (the others are dimmed)")
    parser.add_argument("--columns", type=int, help="panels per row (default 2)")
    parser.add_argument("--labels", nargs="+", metavar="LABEL", help="one title per panel")
    parser.add_argument("--cell-size", type=int, help="pixels per cell, 1..64 (default: automatic)")
    parser.add_argument("--scale", type=int, default=None,
                        help="PNG and animations: device pixels per page pixel (default 2 for "
                        "PNG, 1 for animations)")
    parser.add_argument("--theme", choices=("auto", "light", "dark"),
                        help="HTML only: JupyterLab's light or dark colours; auto (default) "
                        "follows the reader's system")
    parser.add_argument("--page", type=int, default=None,
                        help="a stack of more than 4,096 maps is drawn a page (100 panels) at a "
                        "time: which page, from 0 (default 0)")
    parser.add_argument("--fps", type=float,
                        help="animations (.gif, .webp, .apng) only: frames per second (default 5)")
    return parser


#: What the command draws: a .npy of ndim -> what it is taken as.
_TAKES = {3: "a 3-D (N, H, W) array of maps", 4: "a 4-D (T, N, H, W) array of frames"}


def _refusal(path: Path, shape: tuple[int, ...], dtype: np.dtype) -> str | None:
    """Why the command cannot draw the array a header declares (before any value is
    read), or None."""
    takes = " or ".join(_TAKES.values())
    if dtype.hasobject:  # np.save(allow_pickle=True) of an object array
        return (f"{path} holds a pickled object array (dtype object, shape {shape}), which is "
                f"not loaded: unpickling a file can run any code; expected numbers ({takes}), "
                f"e.g. saved with np.save(path, np.asarray(maps, dtype=float))")
    if len(shape) not in _TAKES:
        return f"{path}: expected {takes}, got a {len(shape)}-D array of shape {shape}"
    return None


def _header(fh: Any) -> tuple[tuple[int, ...], np.dtype] | None:
    """The shape and dtype a .npy file's header declares (None if it is no .npy file: an
    .npz archive, a pickle, text); ValueError if it is damaged."""
    magic = np.lib.format.MAGIC_PREFIX
    if fh.read(len(magic)) != magic:
        fh.seek(0)
        return None
    fh.seek(0)
    version = np.lib.format.read_magic(fh)
    # Versions 2 and 3 differ in the header's encoding only (3: UTF-8 field names).
    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
            else np.lib.format.read_array_header_2_0)
    shape, _, dtype = read(fh)
    fh.seek(0)
    return tuple(shape), np.dtype(dtype)


def _load(path: Path) -> np.ndarray:
    """The array in a .npy file; ValueError with a one-line reason otherwise."""
    if not path.exists():
        raise ValueError(f"no such file: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a .npy file")
    try:
        with path.open("rb") as fh:
            declared = _header(fh)
            refusal = None if declared is None else _refusal(path, *declared)
            loaded = None if refusal else np.load(fh, allow_pickle=False)
    except OSError as err:
        raise ValueError(f"cannot read {path}: {err.strerror or err}") from None
    except MemoryError:  # a header that claims a shape too large to hold
        raise ValueError(f"{path} claims an array too large to load") from None
    except (ValueError, EOFError, SyntaxError, TypeError, UnicodeDecodeError, tokenize.TokenError):
        # An empty file, a malformed or pickled header: numpy's own reason only confuses.
        raise ValueError(f"{path} is not a NumPy .npy file (or its header is damaged)") from None
    if refusal:
        raise ValueError(refusal)
    if not isinstance(loaded, np.ndarray):  # an .npz archive
        loaded.close()
        raise ValueError(f"{path} is an .npz archive; expected a .npy file holding one array")
    return loaded


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _build(args: argparse.Namespace):
    from .grid import DigitHeatmapGrid

    data = None if args.tensor is None else _load(args.tensor)
    options = {name: value for name, value in {
        "vmin": args.vmin, "vmax": args.vmax, "colormap": args.colormap,
        "columns": args.columns, "labels": args.labels, "cell_size": args.cell_size,
        "highlighted": args.highlight or None,
    }.items() if value is not None}
    # The options are set after construction, together: passed to the constructor, a
    # refused one is reported as a (misleading) complaint about `data`, because the
    # constructor's rollback tries to restore data's unset value.
    frames = data if data is not None and data.ndim == 4 else None
    grid = DigitHeatmapGrid(frames[-1] if frames is not None and len(frames) else data)
    with grid.hold_sync():
        if frames is not None:
            grid.max_frames = max(grid.max_frames, len(frames))
            grid.frames = frames
        for name, value in options.items():
            setattr(grid, name, value)
    if args.page is not None:
        grid.page = args.page
    return grid


def _which_panels(grid) -> str:
    """What a paged grid's picture leaves out, said (the picture holds one page)."""
    if grid.page_count <= 1:
        return ""
    first = grid.panel_offset
    return (f"; page {grid.page} of 0..{grid.page_count - 1}: panels {first}..{first + len(grid.data) - 1} "
            f"of {grid.panel_count} (--page chooses another)")


def _write(grid, output: Path, scale: int, theme: str, fps: float) -> str:
    suffix = output.suffix.lower()
    if suffix == ".html":
        grid.to_html(output, theme=theme)
        return f"wrote {output}"
    if suffix in ANIMATED:
        if not len(grid.frames):
            raise ValueError(f"-o {output} animates frames: give a (T, N, H, W) .npy tensor, "
                             f"got maps of shape {grid.data.shape} and no frames")
        grid.save(output, scale, fps=fps)
        return f"wrote {output} ({len(grid.frames)} frames at {fps:g} fps)"
    from .figure.scene import build_scene
    from .export.png import scene_to_png
    from .export import write_atomically
    from .export.svg import scene_to_svg

    scene = build_scene(grid.figure)
    if suffix == ".svg":
        write_atomically(output, scene_to_svg(scene).encode("utf-8"))
    else:
        write_atomically(output, scene_to_png(scene, scale or 2))
    return f"wrote {output} ({scene.width}x{scene.height} px" + (
        f", PNG at scale {scale or 2})" if suffix == ".png" else ")")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lite"]:
        from .lite import main as lite_main

        return lite_main(argv[1:])
    try:
        args = _parser().parse_args(argv)
        suffix = args.output.suffix.lower()
        if suffix not in SUFFIXES:
            raise UsageError(f"-o {args.output}: expected a file name ending in "
                             f"{', '.join(SUFFIXES)}, got {suffix or 'no suffix'!r}")
        if args.scale is not None and not 1 <= args.scale <= 16:
            raise UsageError(f"--scale expected an integer in 1..16, got {args.scale}")
        for name, (suffixes, outputs) in APPLIES.items():
            value = getattr(args, name)
            if value is not None and suffix not in suffixes:
                shown = f"{value:g}" if isinstance(value, float) else value
                raise UsageError(f"--{name} applies only to {outputs}, got --{name} {shown} "
                                 f"for -o {args.output}")
        grid = _build(args)
        message = _write(grid, args.output, args.scale, args.theme or "auto",
                         DEFAULT_FPS if args.fps is None else args.fps) + _which_panels(grid)
    except UsageError as err:
        print(f"{PROG}: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except (TraitError, ValueError, OSError, ImportError, RuntimeError, MemoryError) as err:
        print(f"{PROG}: error: {_one_line(err)}", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
