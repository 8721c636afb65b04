/*
 * tinyengine-runtime: FULLY_CONNECTED, int8 (TFLite int8 quantization spec).
 *
 * Layouts: input [batches][in_features], filter [out_features][in_features] (as in the .tflite
 * file), bias int32[out_features] or NULL, output [batches][out_features]. No scratch.
 * Two entry points: per-tensor weights (one multiplier) and per-channel weights (one per output).
 * Requantization rounds once (x * multiplier / 2^(31 - shift)), as TFLite 2.21's FULLY_CONNECTED
 * does; CONV_2D and DEPTHWISE_CONV_2D round twice (see te_requantize.h).
 */
#ifndef TINYENGINE_TE_FULLY_CONNECTED_H
#define TINYENGINE_TE_FULLY_CONNECTED_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Offsets and fused activation. filter_offset is -filter zero point (0 for int8 weights). */
typedef struct {
    int32_t input_offset;  /* -input zero point */
    int32_t filter_offset; /* -filter zero point */
    int32_t output_offset; /* +output zero point */
    te_activation activation;
} te_fully_connected_params;

/** Matrix sizes. */
typedef struct {
    int32_t batches;
    int32_t in_features;
    int32_t out_features;
} te_fully_connected_dims;

/** int8 FULLY_CONNECTED with per-tensor weights. */
te_status te_fully_connected_s8(const te_fully_connected_params *params, const te_per_tensor_quant *quant,
                                const te_fully_connected_dims *dims, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output);

/** int8 FULLY_CONNECTED with per-channel weights (quant arrays of length out_features). */
te_status te_fully_connected_per_channel_s8(const te_fully_connected_params *params,
                                            const te_per_channel_quant *quant, const te_fully_connected_dims *dims,
                                            const int8_t *input, const int8_t *filter, const int32_t *bias,
                                            int8_t *output);

/**
 * int8 FULLY_CONNECTED with the weights and bias as te-gen packs them: the outputs of
 * te_fully_connected_s8 / te_fully_connected_per_channel_s8. Rows go in pairs (lo, hi) that share
 * every multiply: each halfword holds 256 * w[hi][i] + (w[lo][i] + 128), and one SMLAD on it plus
 * one on its high bytes give both rows (lo = total - 256 * hi - 128 * sum(x)). Requires
 * filter_offset == 0 (int8 weights) and in_features % 4 == 0; any out_features. No scratch.
 *  - packed_filter, in_features * out_features bytes, int32 words (4-byte aligned): for each
 *    block of four rows 4b..4b+3 (pairs (4b, 4b+1), (4b+2, 4b+3)) and each group k of four inputs,
 *    four words: pair 0 inputs (4k, 4k+2), pair 0 inputs (4k+1, 4k+3), pair 1 the same. A word
 *    of pair (lo, hi) and inputs (i, j) holds the bytes w[lo][i] ^ 0x80, w[hi][i],
 *    w[lo][j] ^ 0x80, w[hi][j]. Then, when out_features % 4 >= 2, the last pair the same way (two
 *    words per group); then, when out_features is odd, the last row row-major.
 *  - folded_bias, int32[out_features], required: bias[o] (0 without a bias) plus
 *    input_offset * sum_i filter[o][i] (int32, wrapping), so that the kernel multiplies the
 *    inputs without their offset (params->input_offset is not read).
 *  - multiplier, shift: one per output (per_channel = 1) or one for all (per_channel = 0).
 */
te_status te_fully_connected_packed_s8(const te_fully_connected_params *params, const int32_t *multiplier,
                                       const int32_t *shift, int32_t per_channel,
                                       const te_fully_connected_dims *dims, const int8_t *input,
                                       const int8_t *packed_filter, const int32_t *folded_bias, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_FULLY_CONNECTED_H */
