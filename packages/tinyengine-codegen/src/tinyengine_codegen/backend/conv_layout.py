"""Weight layouts that kernels want instead of the .tflite file's (docs/formats.md, te_conv.h)."""

from __future__ import annotations

import numpy as np


def pack_conv_filter(filter_ohwi: np.ndarray, bias: np.ndarray | None, multiplier: np.ndarray,
                     shift: np.ndarray) -> np.ndarray:  # fmt: skip
    """The packed filter of ``te_conv_1x1_s8`` and ``te_conv_im2col_s8`` (int8 bytes) from OHWI int8 weights.

    Each output channel's row is its kh * kw * c weights in OHWI order, padded with zeros to a
    multiple of four (c4); channels are taken in pairs (lo = 2j, hi = 2j+1; an odd count gets a zero
    channel: weights, bias, multiplier and shift 0). A pair's block: int32 ``2 * bias[lo] + 256 *
    2 * bias[hi] - 2^30`` (wrapping) and ``2 * bias[hi]`` (bias 0 without one; ValueError unless
    every |bias| < 2^30); per group of four weights (k0..k3) four int16 halfwords, taps k0, k2, k1,
    k3, each ``256 * w[hi][k] + (w[lo][k] + 128)``: the bytes ``w[lo][k] ^ 0x80, w[hi][k]``; then
    int32 multiplier[lo], multiplier[hi], right shift[lo], right shift[hi] (``-shift``, TFLite's
    shift being > 0 for left). Int32s little-endian. Size: ``ceil(n / 2) * (24 + 2 * c4)`` bytes
    (``te_conv_1x1_s8_filter_bytes``). The kernels' SMLAD on a halfword word accumulates m, on its
    SXTB16 (ROR 8) c = hi's dot product; lo = m - 256 * c - 128 * (sum of the column) (te_pair.h).
    """
    w = np.asarray(filter_ohwi, dtype=np.int8)
    n = int(w.shape[0])
    rows = w.reshape(n, -1)
    length = int(rows.shape[1])
    n2, c4 = n + (n & 1), (length + 3) // 4 * 4
    padded = np.zeros((n2, c4), np.int8)
    padded[:n, :length] = rows
    pairs = n2 // 2
    # (pairs, 2 rows, groups, taps k0 k2 k1 k3) -> (pairs, groups, taps, bytes lo ^ 0x80, hi)
    grouped = padded.view(np.uint8).reshape(pairs, 2, c4 // 4, 4)[:, :, :, [0, 2, 1, 3]]
    grouped[:, 0] ^= 0x80
    weights = grouped.transpose(0, 2, 3, 1).reshape(pairs, 2 * c4).view(np.int8)
    words = np.zeros((3, n2), "<i4")  # doubled bias, multiplier, right shift per channel
    if bias is not None:
        doubled = 2 * np.asarray(bias, np.int64)
        if np.any(np.abs(doubled) >= 2**31):
            raise ValueError("a bias of magnitude 2^30 or more does not fit the packed filter (doubled)")
        words[0, :n] = doubled
    words[1, :n] = np.asarray(multiplier, np.int64)
    words[2, :n] = -np.asarray(shift, np.int64)
    doubled = words[0].astype(np.int64).reshape(pairs, 2)
    head = np.empty((pairs, 2), np.int64)
    head[:, 0] = doubled[:, 0] + 256 * doubled[:, 1] - 2**30
    head[:, 1] = doubled[:, 1]
    head = ((head + 2**31) % 2**32 - 2**31).astype("<i4").view(np.int8)
    tail = words[1:].reshape(2, pairs, 2).transpose(1, 0, 2).copy().reshape(pairs, 4).view(np.int8)
    return np.concatenate([head, weights, tail], axis=1).reshape(-1).copy()


SMALL_1X1_CHANNELS = (8, 16)  # input channel counts te_conv_1x1_s8's small-K assembly runs
_REQ2_MAX_EXPONENT = 22  # te_requant2's right shifts 1..22 (te_requantize.h)


def small_1x1_fast(bias: np.ndarray | None, multiplier: np.ndarray, shift: np.ndarray) -> bool:
    """True when every channel takes the small-K assembly's requantization: multiplier >= 0, right
    shift 1..22 and |bias| < 2^29 (the doubled accumulator stays under 2^30)."""
    e = -np.asarray(shift, np.int64)
    ok = np.all(np.asarray(multiplier, np.int64) >= 0) and np.all((e >= 1) & (e <= _REQ2_MAX_EXPONENT))
    return bool(ok and (bias is None or np.all(np.abs(np.asarray(bias, np.int64)) < 2**29)))


def small_1x1_applies(filter_ohwi: np.ndarray, bias: np.ndarray | None, multiplier: np.ndarray,
                      shift: np.ndarray, activation: tuple[int, int]) -> bool:  # fmt: skip
    """True when te_conv_1x1_s8 runs the small-K stream in assembly on Cortex-M: 8 or 16 input
    channels, an even output channel count, the whole int8 activation range, fast scales."""
    n, c = int(filter_ohwi.shape[0]), int(np.prod(filter_ohwi.shape[1:]))
    return (c in SMALL_1X1_CHANNELS and n % 2 == 0 and tuple(activation) == (-128, 127)
            and small_1x1_fast(bias, multiplier, shift))  # fmt: skip


def pack_conv_1x1_small(filter_ohwi: np.ndarray, bias: np.ndarray | None, multiplier: np.ndarray,
                        shift: np.ndarray, output_offset: int) -> np.ndarray:  # fmt: skip
    """The small-K stream of ``te_conv_1x1_s8`` (int8 bytes, little-endian int32 words).

    A header word (bit 0 set: the variant; bit 1 when ``small_1x1_fast``; bits 8..15 the output
    offset), then per output channel a record of ``4 + c4 / 2`` words: ``2 * bias`` (ValueError
    unless |bias| < 2^30), the doubled weights as int16 pairs, per group of four weights
    ``(2w0, 2w2), (2w1, 2w3)`` (zeros past the last channel), the multiplier, the right shift
    ``-shift`` in the low 16 bits (bit 16 set on the last channel), the rounding term
    ``(2 * output_offset + 1) << (e - 1)`` (0 unless the header is fast).
    """
    w = np.asarray(filter_ohwi, dtype=np.int8)
    n = int(w.shape[0])
    rows = w.reshape(n, -1).astype(np.int16)
    c4 = (rows.shape[1] + 3) // 4 * 4
    padded = np.zeros((n, c4), np.int16)
    padded[:, : rows.shape[1]] = 2 * rows
    # per group (k0, k1, k2, k3) -> int16 lanes k0, k2, k1, k3
    halves = padded.reshape(n, c4 // 4, 2, 2).transpose(0, 1, 3, 2).reshape(n, c4)
    fast = small_1x1_fast(bias, multiplier, shift)
    records = np.zeros((n, 4 + c4 // 2), "<i4")
    if bias is not None:
        doubled = 2 * np.asarray(bias, np.int64)
        if np.any(np.abs(doubled) >= 2**31):
            raise ValueError("a bias of magnitude 2^30 or more does not fit the packed filter (doubled)")
        records[:, 0] = doubled
    records[:, 1 : 1 + c4 // 2] = halves.astype("<i2").view("<i4")
    e = -np.asarray(shift, np.int64)
    records[:, -3] = np.asarray(multiplier, np.int64)
    records[:, -2] = (e & 0xFFFF) | np.where(np.arange(n) == n - 1, 1 << 16, 0)
    if fast:
        records[:, -1] = ((2 * int(output_offset) + 1) << (e - 1)).astype(np.int64)
    header = np.array([1 | (2 if fast else 0) | ((int(output_offset) & 0xFF) << 8)], "<i4")
    return np.concatenate([header, records.reshape(-1)]).view(np.int8).copy()


def packed_filter_bytes(kernel: str | None, out_channels: int, length: int) -> int | None:
    """Flash bytes of the filter te-gen writes for a ``kernel`` layer of ``out_channels`` rows of
    ``length`` taps (bias and scales included), from shapes alone; None for kernels that read the
    .tflite layout. ``te_conv_1x1_s8`` on 8 or 16 input channels and an even channel count may get
    the small-K stream (``small_1x1_applies``: it depends on the quantization): the larger of the two.
    """
    if kernel == "te_conv_im2col_stream_s8":  # ops_conv.pack_conv_stream: W + 4 words a channel
        return out_channels * 4 * ((5 if length <= 10 else 6) + 4)
    if kernel not in ("te_conv_1x1_s8", "te_conv_im2col_s8", "te_conv_im2col_rows_s8"):
        return None
    c4 = (length + 3) // 4 * 4
    pairs = (out_channels + 1) // 2 * (24 + 2 * c4)
    if kernel == "te_conv_1x1_s8" and length in SMALL_1X1_CHANNELS and out_channels % 2 == 0:
        return max(pairs, 4 + out_channels * (16 + 2 * c4))
    return pairs


def pack_conv_1x1_filter(filter_ohwi: np.ndarray, bias: np.ndarray | None, multiplier: np.ndarray,
                         shift: np.ndarray, output_offset: int,
                         activation: tuple[int, int]) -> np.ndarray:  # fmt: skip
    """The filter te-gen writes for a ``te_conv_1x1_s8`` layer: the small-K stream where
    ``small_1x1_applies``, else ``pack_conv_filter``'s layout."""
    if small_1x1_applies(filter_ohwi, bias, multiplier, shift, activation):
        return pack_conv_1x1_small(filter_ohwi, bias, multiplier, shift, output_offset)
    return pack_conv_filter(filter_ohwi, bias, multiplier, shift)
