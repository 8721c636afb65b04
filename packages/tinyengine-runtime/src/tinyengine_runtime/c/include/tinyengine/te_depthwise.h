/*
 * tinyengine-runtime: DEPTHWISE_CONV_2D, int8 (TFLite int8 quantization spec, per-channel weights).
 *
 * Layouts: input NHWC, filter 1 x kh x kw x (in channels * depth multiplier) as in the .tflite file,
 * bias int32[out channels] or NULL, output NHWC. Output channel oc reads input channel
 * oc / depth_multiplier. Padding is TFLite's computed pad_top/pad_left.
 *
 *  - te_depthwise_conv_s8: any kernel, stride, dilation, depth multiplier; batch n >= 1; no scratch.
 *  - te_depthwise_conv_inplace_s8: depth multiplier 1, batch 1; the output overwrites the input
 *    buffer channel by channel (output (y,x,c) lives at ((y*Wo+x)*C+c), so writing output channel c
 *    only touches bytes of input channel c, and only after that channel's input has been saved in
 *    scratch or, on 3x3 / 2x2 maps, in registers; 3x3 stride 2 on wider maps saves only the rows its
 *    first and last output rows read and reads the others in place, behind its stores: see the
 *    proof in te_depthwise_conv_inplace_s8.c), with channel scratch (see the _scratch_bytes
 *    function). An output byte may be written twice with the same value (odd output sizes).
 *
 * Overlap contract of te_depthwise_conv_s8 (te-gen places its output over a dying input, offset
 * below it, and relies on it; tests verify it bit-exactly): output pixels are written in raster
 * order (y, then x); once any byte of output pixel p is written, the kernel reads only input
 * pixels inside the windows of output pixels >= p, and it writes nothing else into the output
 * buffer. Batch 1. (Channels of one pixel may be written in any order. The tap-pair path of a depth
 * multiplier 8 reads, with an odd kernel width, one byte past a window's right edge inside the same
 * input row and multiplies it by zero: its value never matters.)
 */
#ifndef TINYENGINE_TE_DEPTHWISE_H
#define TINYENGINE_TE_DEPTHWISE_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Depthwise convolution geometry, offsets and fused activation. */
typedef struct {
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    int32_t stride_h;
    int32_t stride_w;
    int32_t pad_top;
    int32_t pad_left;
    int32_t dilation_h;
    int32_t dilation_w;
    int32_t depth_multiplier;
    te_activation activation;
} te_depthwise_params;

/** Generic int8 DEPTHWISE_CONV_2D. */
te_status te_depthwise_conv_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                               const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                               const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                               int8_t *output);

/**
 * Scratch bytes te_depthwise_conv_inplace_s8 needs: one channel plane. Square 3x3, 5x5, 7x7 kernels
 * without dilation use a padded plane, ((out_h - 1) * stride_h + k) * ((out_w - 1) * stride_w + k),
 * or, on small maps (4 * in_h * in_w <= 64 or <= that plane, or <= 400 under stride 2 x 2), four
 * channels and 8 bytes per output pixel window, 4 * in_h * in_w + 8 * (out_h * out_w <= 36 ?
 * out_h * out_w : 9), or, 3x3 stride 2 x 2 with out_w >= 12 and pad_left, right padding <= 1, the
 * plane's rows of the first ytop and the last out_h - ybot output rows (te_dw_s2_direct: the bound
 * depends on pad_top and pad_left; te-gen's select_kernels.depthwise_s2_direct_rows mirrors it);
 * other kernels one input channel, in_h * in_w.
 */
size_t te_depthwise_conv_inplace_s8_scratch_bytes(const te_depthwise_params *params, const te_dims *input_dims,
                                                  const te_dims *filter_dims, const te_dims *output_dims);

/**
 * In-place int8 DEPTHWISE_CONV_2D (depth multiplier 1, batch 1): reads the input from buffer and
 * leaves the output in its first out_h * out_w * C bytes.
 */
te_status te_depthwise_conv_inplace_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                       const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                       const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                       void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_DEPTHWISE_H */
