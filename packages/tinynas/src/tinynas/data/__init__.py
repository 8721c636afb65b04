"""Datasets for tinynas: image folders, the IDX (MNIST family) layout, built-in Fashion-MNIST.

Public API: :func:`load_data` (-> :class:`Splits`), :func:`make_loader`, :func:`set_epoch`.
"""

from tinynas.data.loaders import make_loader, set_epoch
from tinynas.data.sources import BUILTIN, Splits, load_data

__all__ = ["BUILTIN", "Splits", "load_data", "make_loader", "set_epoch"]
