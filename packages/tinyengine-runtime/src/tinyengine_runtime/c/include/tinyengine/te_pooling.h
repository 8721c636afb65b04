/*
 * tinyengine-runtime: int8 pooling kernels (NHWC), bit-exact with TFLite's reference kernels.
 * AVERAGE_POOL_2D and MAX_POOL_2D keep the input's quantization (TFLite requires equal input
 * and output scale and zero point); MEAN over H and W requantizes to the output's.
 *
 * Overlap contract of AVERAGE_POOL_2D and MAX_POOL_2D (te-gen places their output over a dying
 * input, offset below it, and relies on it; tests verify it bit-exactly): output pixels are
 * written in raster order (y, then x); once any byte of output pixel p is written, the kernel
 * reads only input pixels inside the windows of output pixels >= p, and it writes nothing else
 * into the output buffer. Batch 1. ("Not in place" below: the output may not start AT the input.)
 */
#ifndef TINYENGINE_TE_POOLING_H
#define TINYENGINE_TE_POOLING_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Window geometry: pad_h / pad_w are the top / left padding (TFLite's ComputePadding). */
typedef struct {
    int32_t stride_h;
    int32_t stride_w;
    int32_t filter_h;
    int32_t filter_w;
    int32_t pad_h;
    int32_t pad_w;
    te_activation activation; /* fused activation clamp in the output's quantized domain */
} te_pool_params;

/**
 * AVERAGE_POOL_2D: mean of the window clipped to the input (padding is not counted), rounded
 * half away from zero as TFLite's integer division does, then clamped. Not in place.
 */
te_status te_avgpool_s8(const te_pool_params *params, const te_dims *input_dims, const int8_t *input,
                        const te_dims *output_dims, int8_t *output);

/** MAX_POOL_2D: maximum over the window clipped to the input, then clamped. Not in place. */
te_status te_maxpool_s8(const te_pool_params *params, const te_dims *input_dims, const int8_t *input,
                        const te_dims *output_dims, int8_t *output);

/**
 * MEAN over H and W (axes 1 and 2, keep_dims either way: the output bytes are the same, n x c).
 * multiplier and shift are QuantizeMultiplier(input_scale / output_scale); the kernel folds
 * 1 / (H * W) into them exactly as TFLite's QuantizedMeanOrSum does. Not in place.
 * A MEAN over any contiguous run of axes of any rank is the same computation with
 * input_dims = {outer, 1, reduced, inner} (products of the dimensions before, in and after the
 * run): e.g. mcunet-vww's MEANs over the last axis.
 */
typedef struct {
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    int32_t multiplier;
    int32_t shift;
} te_mean_params;

te_status te_mean_hw_s8(const te_mean_params *params, const te_dims *input_dims, const int8_t *input,
                        int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_POOLING_H */
