"""What a grid draws, apart from how: layout, ticks, colours, and the :class:`Figure`."""

from .model import Figure, describe

__all__ = ["Figure", "describe"]
