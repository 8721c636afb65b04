/*
 * tinyengine-runtime: int8 SOFTMAX and LOG_SOFTMAX over the last dimension, bit-exact with
 * TFLite's reference kernels (the BUILTIN_REF resolver runs reference_ops::Softmax and
 * reference_integer_ops::LogSoftmax: gemmlowp fixed-point exp / log / reciprocal, no tables).
 *
 * The input is outer_size rows of depth values each (depth = last dimension). The constants come
 * from TFLite's Prepare with kScaledDiffIntegerBits = 5:
 *   PreprocessSoftmaxScaling(beta, input_scale, 5) -> input_multiplier, input_left_shift;
 *   diff_min = -CalculateInputRadius(5, input_left_shift);
 * and for LOG_SOFTMAX (beta = 1) PreprocessLogSoftmaxScalingExp also gives
 *   reverse_scaling_divisor and reverse_scaling_right_shift (made positive).
 * Output quantization is fixed by TFLite: SOFTMAX scale 1/256, zero point -128; LOG_SOFTMAX
 * scale 16/256, zero point 127. Both kernels work in place (output == input).
 */
#ifndef TINYENGINE_TE_SOFTMAX_H
#define TINYENGINE_TE_SOFTMAX_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
} te_softmax_params;

te_status te_softmax_s8(const te_softmax_params *params, int32_t outer_size, int32_t depth, const int8_t *input,
                        int8_t *output);

typedef struct {
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t reverse_scaling_divisor;
    int32_t reverse_scaling_right_shift;
    int32_t diff_min;
} te_log_softmax_params;

te_status te_log_softmax_s8(const te_log_softmax_params *params, int32_t outer_size, int32_t depth,
                            const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_SOFTMAX_H */
