/*
 * tinyengine-runtime: int8 activation kernels, bit-exact with TFLite's reference kernels.
 * All of them are elementwise over `size` values and work in place (output == input).
 */
#ifndef TINYENGINE_TE_ACTIVATIONS_H
#define TINYENGINE_TE_ACTIVATIONS_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * LOGISTIC: TFLite's int8 reference kernel is a 256-entry lookup table built at Prepare time
 * in float (LUTPopulate: dequantize, 1 / (1 + exp(-x)), divide by the output scale 1/256, round,
 * add the output zero point -128, saturate). The code generator computes the table on the host
 * with the same float32 steps and libm expf and stores it as const data; the kernel only looks
 * values up: output[i] = lut[(uint8_t)input[i]].
 */
te_status te_logistic_s8(const int8_t *lut, const int8_t *input, int32_t size, int8_t *output);

/**
 * HARD_SWISH: TFLite's reference_ops::HardSwish int16 fixed-point algorithm. The four
 * multiplier fields are HardSwishPrepare's: QuantizeMultiplier of (input_scale / 128) /
 * output_scale and of (input_scale / 128) / (3 / 32768), computed in float, each Q31
 * multiplier rounded to Q15 (DownScaleInt32ToInt16Multiplier).
 */
typedef struct {
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    int32_t reluish_multiplier;  /* Q15, int16 range */
    int32_t reluish_exponent;
    int32_t output_multiplier;   /* Q15, int16 range */
    int32_t output_exponent;     /* <= 0 */
} te_hard_swish_params;

te_status te_hard_swish_s8(const te_hard_swish_params *params, const int8_t *input, int32_t size, int8_t *output);

/**
 * LEAKY_RELU: x - zp_in >= 0 is rescaled by QuantizeMultiplier(s_in / s_out), negative values
 * by QuantizeMultiplier(s_in * alpha / s_out) (both computed in float as TFLite does); then the
 * output zero point is added and the result saturated to int8.
 */
typedef struct {
    int32_t input_offset;
    int32_t output_offset;
    int32_t identity_multiplier;
    int32_t identity_shift;
    int32_t alpha_multiplier;
    int32_t alpha_shift;
} te_leaky_relu_params;

te_status te_leaky_relu_s8(const te_leaky_relu_params *params, const int8_t *input, int32_t size, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_ACTIVATIONS_H */
