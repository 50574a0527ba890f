"""digitheat-widget: look at a stack of small heatmaps in Jupyter, with one shared colour scale.

>>> from digitheat_widget import DigitHeatmapGrid, sample_data
>>> grid = DigitHeatmapGrid(sample_data())
"""

from .data import sample_data
from .figure.colormaps import colormap_names
from .grid import DigitHeatmapGrid
from .live import prefetch as _prefetch

# In a kernel, the page starts loading the grid's widget modules now, while the notebook
# waits for the cell that shows a grid (live/prefetch.py; DIGITHEAT_PREFETCH=0: not).
_prefetch.start()

__all__ = ["DigitHeatmapGrid", "colormap_names", "sample_data", "__version__"]
__version__ = "0.1.0"
