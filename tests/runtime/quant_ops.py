"""TFLite's Prepare-time constants for the non-convolution int8 kernels, in Python.

Each function mirrors the TFLite routine named in its docstring, step for step, including where
TFLite computes in float32 and where in double (bit-exactness depends on it). Shifts follow
TFLite's convention: positive = left. The results fill the C params structs of the tests.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from .quant import quantize_multiplier, tflite_round

F32 = np.float32


def _qm_smaller_than_one(real: float) -> tuple[int, int]:
    """tflite::QuantizeMultiplierSmallerThanOneExp (also used for > 1 where TFLite allows it)."""
    return quantize_multiplier(real)


def add_sub_params(s1: float, s2: float, so: float, left_shift: int = 20) -> dict[str, int]:
    """ADD/SUB Prepare (general 8-bit path): input and output multipliers, left shift 20."""
    twice_max = float(F32(2) * max(F32(s1), F32(s2)))  # 2 * std::max(float, float): a float product
    m1, sh1 = _qm_smaller_than_one(float(F32(s1)) / twice_max)
    m2, sh2 = _qm_smaller_than_one(float(F32(s2)) / twice_max)
    mo, sho = _qm_smaller_than_one(twice_max / float(F32(1 << left_shift) * F32(so)))
    return {"m1": m1, "sh1": sh1, "m2": m2, "sh2": sh2, "mo": mo, "sho": sho, "left_shift": left_shift}


def mul_multiplier(s1: float, s2: float, so: float) -> tuple[int, int]:
    """MUL Prepare: QuantizeMultiplier(s1 * s2 / s_out) with the product and division in float32."""
    return quantize_multiplier(float(F32(F32(s1) * F32(s2)) / F32(so)))


def ratio_multiplier(s_in: float, s_out: float) -> tuple[int, int]:
    """QuantizeMultiplier(double(s_in) / double(s_out)): MEAN, QUANTIZE int8->int8."""
    return quantize_multiplier(float(F32(s_in)) / float(F32(s_out)))


def _calculate_input_radius(integer_bits: int, left_shift: int, total_signed_bits: int = 31) -> int:
    """tflite::CalculateInputRadius (double arithmetic, floor)."""
    max_input_rescaled = (1.0 * ((1 << integer_bits) - 1) * (1 << (total_signed_bits - integer_bits))) / (
        1 << left_shift
    )
    return int(math.floor(max_input_rescaled))


def softmax_params(beta: float, input_scale: float) -> tuple[int, int, int]:
    """SoftmaxPrepare (kReference, int8): PreprocessSoftmaxScaling(beta, scale, 5) and diff_min."""
    real = min(float(F32(beta)) * float(F32(input_scale)) * (1 << (31 - 5)), (1 << 31) - 1.0)
    multiplier, left_shift = quantize_multiplier(real)
    diff_min = int(-1.0 * _calculate_input_radius(5, left_shift))
    return multiplier, left_shift, diff_min


def log_softmax_params(input_scale: float) -> tuple[int, int, int, int, int]:
    """LogSoftmaxPrepare (kReference, int8): PreprocessLogSoftmaxScalingExp(1.0, scale, 5).

    Returns (input_multiplier, input_left_shift, reverse_scaling_divisor,
    reverse_scaling_right_shift, diff_min).
    """
    multiplier, left_shift, _ = softmax_params(1.0, input_scale)
    reverse_real = (1 << (31 - left_shift)) / float(multiplier)
    reverse_divisor, reverse_left_shift = _qm_smaller_than_one(reverse_real)
    diff_min = -_calculate_input_radius(5, left_shift)
    return multiplier, left_shift, reverse_divisor, -reverse_left_shift, diff_min


def _downscale_to_int16(multiplier: int) -> int:
    """DownScaleInt32ToInt16Multiplier."""
    if multiplier >= (1 << 31) - 1 - (1 << 15):
        return (1 << 15) - 1
    return (multiplier + (1 << 15)) >> 16


def hard_swish_params(input_scale: float, output_scale: float) -> tuple[int, int, int, int]:
    """HardSwishPrepare (float32 arithmetic): (reluish_m16, reluish_exp, output_m16, output_exp)."""
    hires = F32(1.0 / 128.0) * F32(input_scale)
    reluish_scale = F32(3.0 / 32768.0)
    out_m, out_e = quantize_multiplier(float(hires / F32(output_scale)))
    rel_m, rel_e = quantize_multiplier(float(hires / reluish_scale))
    return _downscale_to_int16(rel_m), rel_e, _downscale_to_int16(out_m), out_e


def leaky_relu_params(input_scale: float, output_scale: float, alpha: float) -> tuple[int, int, int, int]:
    """LeakyReluPrepare (float32 arithmetic): (identity_m, identity_shift, alpha_m, alpha_shift)."""
    alpha_real = float(F32(F32(input_scale) * F32(alpha)) / F32(output_scale))
    identity_real = float(F32(input_scale) / F32(output_scale))
    im, ish = quantize_multiplier(identity_real)
    am, ash = quantize_multiplier(alpha_real)
    return im, ish, am, ash


def _libm_expf():
    libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    fn = libm.expf
    fn.restype = ctypes.c_float
    fn.argtypes = [ctypes.c_float]
    return fn


def logistic_lut(input_scale: float, input_zp: int, output_scale: float, output_zp: int) -> np.ndarray:
    """LUTPopulate<int8_t> with 1 / (1 + std::exp(-x)) in float32 (libm expf), indexed by uint8(q)."""
    expf = _libm_expf()
    inverse_scale = F32(1.0) / F32(output_scale)
    lut = np.zeros(256, np.int8)
    for val in range(-128, 128):
        dequantized = F32(input_scale) * F32(val - input_zp)
        transformed = F32(1.0) / (F32(1.0) + F32(expf(float(-dequantized))))
        rescaled = F32(tflite_round(float(transformed * inverse_scale)))
        quantized = int(rescaled + F32(output_zp))
        lut[val & 0xFF] = max(-128, min(127, quantized))
    return lut
