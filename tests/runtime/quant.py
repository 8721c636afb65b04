"""TFLite's integer arithmetic helpers, in Python, to fill the C kernels' params.

The computations are the code generator's own (``tinyengine_codegen.backend.quant`` and
``tinyengine_codegen.geometry``), so the kernel tests also check that the constants te-gen emits
are the ones TFLite's reference interpreter computes for itself. This module only adapts them to
the enum values found in .tflite options (ActivationFunctionType, Padding).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinyengine_codegen import geometry
from tinyengine_codegen.backend import quant as _quant

INT8_MIN = _quant.INT8_MIN
INT8_MAX = _quant.INT8_MAX

# tflite ActivationFunctionType values (schema.fbs).
ACT_NONE = 0
ACT_RELU = 1
ACT_RELU_N1_TO_1 = 2
ACT_RELU6 = 3
_ACT_NAMES = {ACT_NONE: "NONE", ACT_RELU: "RELU", ACT_RELU_N1_TO_1: "RELU_N1_TO_1", ACT_RELU6: "RELU6"}

# tflite Padding values (schema.fbs).
PADDING_SAME = 0
PADDING_VALID = 1

tflite_round = _quant.round_half_away
quantize_multiplier = _quant.quantize_multiplier


def per_channel_multipliers(
    input_scale: float, weight_scales: Sequence[float], output_scale: float, channels: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """PopulateConvolutionQuantizationParams: int32 (multiplier, shift) arrays, one per channel.

    A single (per-tensor) weight scale is repeated ``channels`` times.
    """
    scales = [float(s) for s in weight_scales]
    mult, shift = _quant.conv_per_channel(input_scale, scales, output_scale, channels or len(scales))
    return np.array(mult, dtype=np.int32), np.array(shift, dtype=np.int32)


def fully_connected_multiplier(
    input_scale: float, weight_scale: float, output_scale: float
) -> tuple[int, int]:
    """GetQuantizedConvolutionMultipler for per-tensor FULLY_CONNECTED: (multiplier, shift)."""
    return _quant.fully_connected_per_tensor(input_scale, weight_scale, output_scale)


def activation_range(activation: int, scale: float, zero_point: int) -> tuple[int, int]:
    """CalculateActivationRangeQuantized for int8 outputs, from the options' enum value."""
    if activation not in _ACT_NAMES:
        raise ValueError(f"unsupported fused activation {activation}")
    return _quant.activation_range(_ACT_NAMES[activation], scale, zero_point)


def compute_padding(
    in_size: int, filter_size: int, stride: int, dilation: int, padding: int
) -> tuple[int, int]:
    """ComputePaddingHeightWidth for one axis: (output size, padding before); padding is the enum."""
    if padding not in (PADDING_SAME, PADDING_VALID):
        raise ValueError(f"unknown padding {padding}")
    name = "SAME" if padding == PADDING_SAME else "VALID"
    out = geometry.out_size(in_size, filter_size, stride, name, dilation)
    before = geometry.same_padding(in_size, filter_size, stride, dilation)[0] if name == "SAME" else 0
    return out, before
