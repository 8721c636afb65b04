"""Weight layouts that kernels want instead of the .tflite file's (docs/formats.md, te_conv.h)."""

from __future__ import annotations

import numpy as np


def pack_conv_filter(filter_ohwi: np.ndarray, bias: np.ndarray | None, multiplier: np.ndarray,
                     shift: np.ndarray) -> np.ndarray:  # fmt: skip
    """The packed filter of ``te_conv_1x1_s8`` and ``te_conv_3x3_c3_s8`` (int8 bytes) from OHWI int8 weights.

    Each output channel's row is its kh * kw * c weights in OHWI order, padded with zeros to a
    multiple of four (c4); channels are taken in pairs (2j, 2j+1; an odd count gets a zero channel:
    weights, bias, multiplier and shift 0). A pair's block: int32 ``2 * bias[2j], 2 * bias[2j+1]``
    (0 without bias; ValueError unless every |bias| < 2^30), per group of four weights row 2j's four
    then row 2j+1's, int32 multiplier[2j], multiplier[2j+1], int32 right shift[2j], right
    shift[2j+1] (``-shift``, TFLite's shift being > 0 for left). Int32s little-endian. Size:
    ``ceil(n / 2) * (24 + 2 * c4)`` bytes (``te_conv_1x1_s8_filter_bytes``).
    """
    w = np.asarray(filter_ohwi, dtype=np.int8)
    n = int(w.shape[0])
    rows = w.reshape(n, -1)
    length = int(rows.shape[1])
    n2, c4 = n + (n & 1), (length + 3) // 4 * 4
    padded = np.zeros((n2, c4), np.int8)
    padded[:n, :length] = rows
    pairs = n2 // 2
    # (pairs, 2 rows, groups, 4) -> (pairs, groups, 2 rows, 4)
    weights = padded.reshape(pairs, 2, c4 // 4, 4).transpose(0, 2, 1, 3).reshape(pairs, 2 * c4)
    words = np.zeros((3, n2), "<i4")  # doubled bias, multiplier, right shift per channel
    if bias is not None:
        doubled = 2 * np.asarray(bias, np.int64)
        if np.any(np.abs(doubled) >= 2**31):
            raise ValueError("a bias of magnitude 2^30 or more does not fit the packed filter (doubled)")
        words[0, :n] = doubled
    words[1, :n] = np.asarray(multiplier, np.int64)
    words[2, :n] = -np.asarray(shift, np.int64)
    head = words[0].reshape(pairs, 2).view(np.int8)
    tail = words[1:].reshape(2, pairs, 2).transpose(1, 0, 2).copy().reshape(pairs, 4).view(np.int8)
    return np.concatenate([head, weights, tail], axis=1).reshape(-1).copy()
