"""Search-space optimisation (TinyNAS step 1): pick the (width, resolution) whose sub-networks that
fit the memory budget have the most compute.

Public API: :func:`scaled_config` (the MCUNet space at one width and resolution, as part 2's
``SupernetConfig``), :func:`optimize_spaces` (-> :class:`SpaceReport`), :func:`report_to_dict`
(format ``tinynas-space/1``, read back by ``tinynas.supernet.space.config_from_space``), and
:func:`tinynas.space.plot.plot_cdf`.
"""

from tinynas.space.optimize import SpaceReport, SpaceStats, evaluate_space, optimize_spaces
from tinynas.space.pricing import Price, price_netspec
from tinynas.space.report import SPACE_FORMAT, report_to_dict
from tinynas.space.scaling import DEFAULT_RESOLUTIONS, DEFAULT_WIDTHS, make_divisible, scaled_config

__all__ = [
    "DEFAULT_RESOLUTIONS",
    "DEFAULT_WIDTHS",
    "SPACE_FORMAT",
    "Price",
    "SpaceReport",
    "SpaceStats",
    "evaluate_space",
    "load_space_report",
    "make_divisible",
    "optimize_spaces",
    "price_netspec",
    "report_to_dict",
    "scaled_config",
]
