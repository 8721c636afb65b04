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

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_FULLY_CONNECTED_H */
