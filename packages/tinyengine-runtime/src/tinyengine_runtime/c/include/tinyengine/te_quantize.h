/*
 * tinyengine-runtime: QUANTIZE and DEQUANTIZE at model boundaries, bit-exact with TFLite's
 * reference kernels on any IEEE-754 single-precision FPU (host or Cortex-M hard float): each
 * value goes through exactly the float operations TFLite performs, one rounding each.
 * Elementwise over `size` values; the int8 -> int8 requantize works in place.
 */
#ifndef TINYENGINE_TE_QUANTIZE_H
#define TINYENGINE_TE_QUANTIZE_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * QUANTIZE float32 -> int8 (reference_ops::AffineQuantize): round(x / scale) with the division
 * in float32 and rounding half away from zero, plus zero_point, saturated to int8.
 */
te_status te_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output);

/**
 * QUANTIZE int8 -> int8 (reference_ops::Requantize): (q - zp_in) scaled by
 * QuantizeMultiplier(s_in / s_out), plus zp_out, saturated.
 */
typedef struct {
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    int32_t multiplier;
    int32_t shift;
} te_requantize_params;

te_status te_requantize_s8_s8(const te_requantize_params *params, const int8_t *input, int32_t size,
                              int8_t *output);

/** DEQUANTIZE int8 -> float32: (q - zero_point) * scale, one float32 product. */
te_status te_dequantize_s8_f32(const int8_t *input, int32_t size, float scale, int32_t zero_point, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_QUANTIZE_H */
