/*
 * tinyengine-runtime: int8 elementwise binary kernels ADD, SUB, MUL, bit-exact with TFLite's
 * reference integer kernels, with TFLite broadcasting over 4D (NHWC) shapes.
 *
 * Shapes: each input has its own te_dims; along every dimension the input's extent equals the
 * output's or is 1 (broadcast). Lower-rank TFLite shapes are right-aligned into NHWC by the
 * code generator (a [C] tensor becomes {1, 1, 1, C}).
 *
 * In place: the output pointer may equal an input pointer when that input is not broadcast
 * (its dims equal the output's); the memory planner relies on it.
 */
#ifndef TINYENGINE_TE_ELEMENTWISE_H
#define TINYENGINE_TE_ELEMENTWISE_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * ADD and SUB (TFLite's general 8-bit path): each input is offset, shifted left by left_shift
 * (20 for int8), scaled by its multiplier (shift <= 0), summed (or subtracted), then scaled by
 * the output multiplier, offset and clamped. Multipliers come from
 * QuantizeMultiplierSmallerThanOneExp of s_i / (2 max(s1, s2)) and 2 max(s1, s2) / (2^20 s_out).
 */
typedef struct {
    int32_t input1_offset; /* -input1 zero point */
    int32_t input2_offset; /* -input2 zero point */
    int32_t output_offset; /* +output zero point */
    int32_t left_shift;
    int32_t input1_multiplier;
    int32_t input1_shift;
    int32_t input2_multiplier;
    int32_t input2_shift;
    int32_t output_multiplier;
    int32_t output_shift;
    te_activation activation;
} te_add_params;

te_status te_add_s8(const te_add_params *params, const te_dims *input1_dims, const int8_t *input1,
                    const te_dims *input2_dims, const int8_t *input2, const te_dims *output_dims,
                    int8_t *output);

/**
 * ADD of two same-shape tensors through a 256-entry table that te-gen precomputes (in Flash, with
 * the weights): te_add_s8's arithmetic, restated. TFLite scales the input of larger scale by
 * exactly 2^19 ((q + offset) << 20, multiplier 2^30, shift 0): that one is the "linear" input l.
 * The other, t, goes through its table, which also holds the linear input's offset; both doubled
 * (the kernel requantizes the doubled sum, te_requant2 of te_requantize.h):
 *   2 raw = table[(uint8_t)t[i]] + l[i] * 2^20,
 *   table[k] = 2 (MultiplyByQuantizedMultiplierSmallerThanOneExp(((int8_t)k + t_offset) << 20,
 *              t_multiplier, t_shift) + l_offset * 2^19)
 * (either input may be t when both scales are equal; |raw| < 2^30). raw is then requantized as
 * in te_add_s8: output_multiplier / output_shift, output_offset, activation. `size` elements;
 * the output may equal either input (same shape, no broadcasting).
 */
typedef struct {
    int32_t output_offset; /* +output zero point */
    int32_t output_multiplier;
    int32_t output_shift;
    te_activation activation;
} te_add_table_params;

te_status te_add_table_s8(const te_add_table_params *params, const int32_t *table, int32_t size,
                          const int8_t *table_input, const int8_t *linear_input, int8_t *output);

/** SUB: same parameters as ADD; output = input1 - input2. */
te_status te_sub_s8(const te_add_params *params, const te_dims *input1_dims, const int8_t *input1,
                    const te_dims *input2_dims, const int8_t *input2, const te_dims *output_dims,
                    int8_t *output);

/**
 * MUL: (q1 + input1_offset) * (q2 + input2_offset) scaled by QuantizeMultiplier(s1 * s2 / s_out)
 * (computed in float32 as TFLite does), offset and clamped.
 */
typedef struct {
    int32_t input1_offset;
    int32_t input2_offset;
    int32_t output_offset;
    int32_t output_multiplier;
    int32_t output_shift;
    te_activation activation;
} te_mul_params;

te_status te_mul_s8(const te_mul_params *params, const te_dims *input1_dims, const int8_t *input1,
                    const te_dims *input2_dims, const int8_t *input2, const te_dims *output_dims,
                    int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_ELEMENTWISE_H */
