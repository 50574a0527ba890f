"""digitheat-widget: look at a stack of small heatmaps in Jupyter, with one shared colour scale.

>>> from digitheat_widget import DigitHeatmapGrid, sample_data
>>> grid = DigitHeatmapGrid(sample_data())
"""

from .data import sample_data
from .figure.colormaps import colormap_names
from .grid import DigitHeatmapGrid

__all__ = ["DigitHeatmapGrid", "colormap_names", "sample_data", "__version__"]
__version__ = "0.1.0"
