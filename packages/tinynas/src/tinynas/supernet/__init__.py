"""Weight-sharing supernet over the MCUNet space: elastic kernel size, expand ratio and depth.

Public API: :class:`SupernetConfig`, :class:`SubnetArch`, :class:`Supernet`, :func:`extract_subnet`,
:func:`load_supernet`, :func:`train_supernet`.
"""

from tinynas.supernet.arch import SubnetArch, largest, sample, smallest, to_netspec
from tinynas.supernet.checkpoint import load_supernet
from tinynas.supernet.config import StageConfig, SupernetConfig
from tinynas.supernet.extract import extract_subnet
from tinynas.supernet.network import Supernet
from tinynas.supernet.run import train_supernet

__all__ = ["StageConfig", "SubnetArch", "Supernet", "SupernetConfig", "extract_subnet", "largest",
           "load_supernet", "sample", "smallest", "to_netspec", "train_supernet"]
