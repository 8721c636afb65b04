"""Weight layouts that kernels want instead of the .tflite file's (docs/formats.md, te_conv.h)."""

from __future__ import annotations

import numpy as np


def pack_conv_1x1_filter(filter_ohwi: np.ndarray) -> np.ndarray:
    """The packed filter of ``te_conv_1x1_s8`` from OHWI int8 weights of shape (n, 1, 1, c).

    Rows are taken in pairs (output channels 2j, 2j+1; an odd count gets a zero row) and padded
    with zeros to a multiple of four input channels; per group of four input channels the pair's
    block holds row 2j's four weights then row 2j+1's. Size: ``even(n) * round_up(c, 4)`` bytes
    (``te_conv_1x1_s8_filter_bytes``).
    """
    w = np.asarray(filter_ohwi, dtype=np.int8)
    n = int(w.shape[0])
    c = int(w.shape[-1])
    rows = w.reshape(n, c)
    n2, c4 = n + (n & 1), (c + 3) // 4 * 4
    padded = np.zeros((n2, c4), np.int8)
    padded[:n, :c] = rows
    # (pairs, 2 rows, groups, 4) -> (pairs, groups, 2 rows, 4)
    return padded.reshape(n2 // 2, 2, c4 // 4, 4).transpose(0, 2, 1, 3).reshape(-1).copy()
