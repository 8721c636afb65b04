"""The per-input table of ``te_add_table_s8`` (ADD of same-shape int8 tensors), built at codegen.

TFLite's int8 ADD scales each input ``x = q + offset`` as
``MultiplyByQuantizedMultiplierSmallerThanOneExp(x << 20, multiplier, shift)``. The input of larger
scale has the real multiplier 1/2 exactly (multiplier 2^30, shift 0), so its scaled value is
``x << 19``: the kernel computes that one (the *linear* input). The other input's 256 scaled values,
plus the linear input's ``offset << 19``, all doubled (the kernel requantizes the doubled sum),
make the table, indexed by the int8 byte as unsigned.
"""

from __future__ import annotations

import numpy as np

LEFT_SHIFT = 20  # TFLite's general 8-bit ADD/SUB path
LINEAR_MULTIPLIER, LINEAR_SHIFT = 1 << 30, 0  # real multiplier 1/2: scaled value x << 19
INT32_MIN = -(1 << 31)


def saturating_rounding_doubling_high_mul(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul on Python ints (int32 values)."""
    if a == INT32_MIN and b == INT32_MIN:
        return (1 << 31) - 1
    return (a * b + (1 << 30)) >> 31


def rounding_divide_by_pot(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT: x / 2^exponent, rounded half away from zero."""
    mask = (1 << exponent) - 1
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if (x & mask) > threshold else 0)


def multiply_by_quantized_multiplier_smaller_than_one(x: int, multiplier: int, shift: int) -> int:
    """tflite::MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0)."""
    if shift > 0:
        raise ValueError(f"shift {shift} is a left shift")
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier), -shift)


def linear_input(fields: dict[str, object]) -> int | None:
    """Which input (1 or 2) the kernel scales by 2^19 itself (input 1 when both can); None if neither."""
    for k in (1, 2):
        if (fields[f"input{k}_multiplier"], fields[f"input{k}_shift"]) == (LINEAR_MULTIPLIER, LINEAR_SHIFT):
            return k
    return None


def add_table(fields: dict[str, object]) -> tuple[np.ndarray, int]:
    """The int32[256] table (doubled values) of the non-linear input and that input's number (1 or 2).

    ``fields`` are te_add_params values as TFLite's ADD Prepare computes them.
    """
    if fields["left_shift"] != LEFT_SHIFT:
        raise ValueError(f"left shift {fields['left_shift']} is not {LEFT_SHIFT}")
    linear = linear_input(fields)
    if linear is None:
        raise ValueError("neither ADD input has the multiplier 1/2")
    t = 3 - linear
    offset, multiplier, shift = (int(fields[f"input{t}_{f}"]) for f in ("offset", "multiplier", "shift"))  # type: ignore[call-overload]
    linear_part = int(fields[f"input{linear}_offset"]) << (LEFT_SHIFT - 1)  # type: ignore[call-overload]
    codes = np.arange(256).astype(np.uint8).view(np.int8)
    scale = multiply_by_quantized_multiplier_smaller_than_one
    table = [2 * (scale((int(q) + offset) << LEFT_SHIFT, multiplier, shift) + linear_part) for q in codes]
    return np.array(table, dtype=np.int32), t
