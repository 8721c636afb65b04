"""Weight layouts that kernels want instead of the .tflite file's (docs/formats.md, te_conv.h)."""

from __future__ import annotations

import numpy as np


def pack_conv_filter(filter_ohwi: np.ndarray) -> np.ndarray:
    """The packed filter of ``te_conv_1x1_s8`` and ``te_conv_3x3_c3_s8`` from OHWI int8 weights.

    Each output channel's row is its kh * kw * c weights in OHWI order, padded with zeros to a
    multiple of four; rows are taken in pairs (output channels 2j, 2j+1; an odd count gets a zero
    row), and per group of four weights the pair's block holds row 2j's four then row 2j+1's.
    Size: ``even(n) * round_up(kh * kw * c, 4)`` bytes (``te_conv_1x1_s8_filter_bytes``).
    """
    w = np.asarray(filter_ohwi, dtype=np.int8)
    n = int(w.shape[0])
    rows = w.reshape(n, -1)
    length = int(rows.shape[1])
    n2, c4 = n + (n & 1), (length + 3) // 4 * 4
    padded = np.zeros((n2, c4), np.int8)
    padded[:n, :length] = rows
    # (pairs, 2 rows, groups, 4) -> (pairs, groups, 2 rows, 4)
    return padded.reshape(n2 // 2, 2, c4 // 4, 4).transpose(0, 2, 1, 3).reshape(-1).copy()
