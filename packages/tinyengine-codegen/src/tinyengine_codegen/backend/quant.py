"""Requantization constants computed exactly as TFLite's kernels compute them at Prepare time.

The generator precomputes every multiplier and shift so that the C code holds constants
only. Each function follows the TFLite routine named in its docstring, including where
TFLite works in float32 and where in double: bit-exactness depends on it.
Shifts use TFLite's convention: positive = left shift, negative = right shift.
"""

from __future__ import annotations

import math

import numpy as np

INT8_MIN, INT8_MAX = -128, 127


def round_half_away(x: float) -> int:
    """C's ``round()`` (TfLiteRound): halves go away from zero."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """tflite::QuantizeMultiplier: a real multiplier as (Q31 significand, shift)."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = round_half_away(q * (1 << 31))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return int(q_fixed), int(shift)


def quantize_multiplier_greater_than_one(real: float) -> tuple[int, int]:
    """tflite::QuantizeMultiplierGreaterThanOne (shift >= 0)."""
    if real <= 1.0:
        raise ValueError(f"multiplier {real} is not greater than one")
    multiplier, shift = quantize_multiplier(real)
    return multiplier, shift


def f32(x: float) -> float:
    """The value as a float32 (TFLite stores scales as float)."""
    return float(np.float32(x))


def conv_per_channel(input_scale: float, filter_scales: list[float], output_scale: float, channels: int):
    """PopulateConvolutionQuantizationParams: per-channel (multipliers, shifts), in double.

    A per-tensor filter scale is repeated for every output channel.
    """
    scales = list(filter_scales) if len(filter_scales) > 1 else [filter_scales[0]] * channels
    pairs = [quantize_multiplier(f32(input_scale) * f32(s) / f32(output_scale)) for s in scales]
    return [m for m, _ in pairs], [s for _, s in pairs]


def fully_connected_per_tensor(input_scale: float, filter_scale: float, output_scale: float):
    """GetQuantizedConvolutionMultipler: the scale product is a float32 product, then double."""
    product = float(np.float32(input_scale) * np.float32(filter_scale))
    return quantize_multiplier(product / f32(output_scale))


def activation_range(fused: str, scale: float, zero_point: int, qmin: int = INT8_MIN, qmax: int = INT8_MAX):
    """CalculateActivationRangeQuantized: the fused clamp in the output's quantized domain (float32)."""

    def quantize(value: float) -> int:
        return zero_point + round_half_away(float(np.float32(value) / np.float32(scale)))

    if fused == "RELU":
        return max(qmin, quantize(0.0)), qmax
    if fused == "RELU6":
        return max(qmin, quantize(0.0)), min(qmax, quantize(6.0))
    if fused == "RELU_N1_TO_1":
        return max(qmin, quantize(-1.0)), min(qmax, quantize(1.0))
    if fused in ("NONE", "", None):
        return qmin, qmax
    raise ValueError(f"fused activation {fused} has no quantized range")
