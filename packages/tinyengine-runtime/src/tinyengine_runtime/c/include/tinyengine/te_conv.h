/*
 * tinyengine-runtime: CONV_2D, int8 (TFLite int8 quantization spec, per-channel weights).
 *
 * Layouts: input NHWC, filter OHWI (dims n = out channels, h = kh, w = kw, c = in channels, as in
 * the .tflite file), bias int32[out channels] or NULL, output NHWC. Padding is TFLite's computed
 * pad_top/pad_left; the bottom/right remainder follows from the output size.
 *
 * te_conv_1x1_s8 and te_conv_im2col_s8 read their filter PACKED with the bias and requantization
 * constants (te-gen writes it so, tinyengine_codegen.backend.conv_layout.pack_conv_filter;
 * filter_dims still name the OHWI shape; there are no quant and bias arguments): each output
 * channel's row of kh * kw * c weights (OHWI order) padded with zeros to a multiple of 4 (c4), an
 * odd channel count padded with a zero channel (weights, bias, multiplier and shift 0); then per
 * pair of channels (lo = 2j, hi = 2j+1) a block of 24 + 2 * c4 bytes: int32 2 * bias[lo] + 256 *
 * 2 * bias[hi] - 2^30 (wrapping), 2 * bias[hi] (bias 0 without one; so |bias| < 2^30); for each
 * group g of four taps k0..k3 (4g..4g+3) the int16s h(k0), h(k2), h(k1), h(k3), h(k) = 256 *
 * w[hi][k] + (w[lo][k] + 128): the bytes w[lo][k] ^ 0x80, w[hi][k] (te_pair.h); int32
 * multiplier[lo], multiplier[hi] (Q31); int32 right shift[lo], right shift[hi] (the TFLite
 * shift negated: > 0 shifts right). Int32s little-endian; ceil(n / 2) blocks
 * (te_conv_1x1_s8_filter_bytes for 1x1); 4-byte aligned for the Cortex-M fast path.
 * te_conv_1x1_s8 also reads the small-K stream te-gen writes for 8 or 16 input channels (its
 * first word odd: te_conv_1x1_s8.c, docs/formats.md; no scratch used, the argument still checked).
 *
 * Each needs te_<variant>_scratch_bytes() bytes of scratch, 4-byte aligned (it holds int16 words).
 *
 * Overlap contract (te-gen's planner places the output over a dying input and relies on it; the
 * tests verify it bit-exactly on real models, keep it when optimising): all three variants write
 * output pixels in raster order (y, then x), a pixel being all its channels. Once any byte of
 * output pixel p is written, the kernel reads only input pixels inside the windows of output
 * pixels >= p (blocking several pixels is fine if this holds), and it writes nothing into the
 * output buffer but output pixels. Batch 1. So the output may start D bytes below the input,
 * D = max over p of ((p + 1) * out_pixel_bytes - first_input_pixel_needed_by(>= p) * in_pixel_bytes).
 */
#ifndef TINYENGINE_TE_CONV_H
#define TINYENGINE_TE_CONV_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Convolution geometry, offsets and fused activation. */
typedef struct {
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    int32_t stride_h;
    int32_t stride_w;
    int32_t pad_top;
    int32_t pad_left;
    int32_t dilation_h;
    int32_t dilation_w;
    te_activation activation;
} te_conv_params;

/** Scratch bytes te_conv_s8 needs for this filter (2 bytes per kh*kw*in_channels). */
size_t te_conv_s8_scratch_bytes(const te_dims *filter_dims);

/** Generic int8 CONV_2D; batch n >= 1. */
te_status te_conv_s8(const te_conv_params *params, const te_per_channel_quant *quant, const te_dims *input_dims,
                     const int8_t *input, const te_dims *filter_dims, const int8_t *filter, const int32_t *bias,
                     const te_dims *output_dims, int8_t *output, void *scratch);

/** Scratch bytes te_conv_1x1_s8 needs: 6 * c4 + 12 (an int16 column of three pixels and an end mark). */
size_t te_conv_1x1_s8_scratch_bytes(const te_dims *input_dims);

/** Bytes of te_conv_1x1_s8's packed filter: ceil(n / 2) * (24 + 2 * c4). */
size_t te_conv_1x1_s8_filter_bytes(const te_dims *filter_dims);

/**
 * Pointwise int8 CONV_2D: filter 1x1 (packed with its bias and scales, see above), pad 0, dilation
 * ignored, any stride; batch n >= 1.
 */
te_status te_conv_1x1_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                         const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims, int8_t *output,
                         void *scratch);

/** The largest window te_conv_im2col_s8 takes: kh * kw * in_channels taps. */
#define TE_CONV_IM2COL_MAX_TAPS 128

/**
 * Scratch bytes te_conv_im2col_s8 needs: 9 * k4 + 12, k4 = kh * kw * in_channels rounded up to a
 * multiple of four (three byte patches of k4, then an int16 column of three pixels' taps and its end mark).
 */
size_t te_conv_im2col_s8_scratch_bytes(const te_dims *filter_dims);

/**
 * int8 CONV_2D by im2col on a small window: kh * kw * in_channels <= TE_CONV_IM2COL_MAX_TAPS (filter
 * packed, see above), any stride, padding and dilation, input offset in [-127, 128]; batch n >= 1.
 * Network stems, and DEPTHWISE_CONV_2D on one input channel (depth multiplier M: te-gen passes the
 * filter [1, kh, kw, M] as the CONV_2D filter [M, kh, kw, 1], packed). The packed bias of channel
 * o holds the input offset's part, bias[o] + (input_offset - 128) * (sum of o's weights): the
 * kernel counts every input byte x as x + 128. On Cortex-M (DSP) the filter and scratch are
 * 4-byte aligned and every packed |bias| < 2^29, else TE_ERROR_ARGUMENT (te-gen runs such a layer
 * on te_conv_s8). Overlap contract above: three output pixels per block, every input byte of the
 * block's windows read before any of its outputs is written.
 */
te_status te_conv_im2col_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                            const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                            int8_t *output, void *scratch);

/** Scratch bytes te_conv_im2col_rows_s8 needs: te_conv_im2col_s8_scratch_bytes's. */
size_t te_conv_im2col_rows_s8_scratch_bytes(const te_dims *filter_dims);

/**
 * te_conv_im2col_s8 (same packed filter, scratch, arguments and results) for windows whose kernel
 * rows are whole words: kw * in_channels a multiple of four and dilation 1 (else
 * TE_ERROR_ARGUMENT); te-gen runs such layers on it (te_conv_im2col_rows_s8.c: windows at the
 * border read a band of the padded image built in the scratch). Same overlap contract: three
 * output pixels per block, every input byte of the block's windows read before its outputs.
 */
te_status te_conv_im2col_rows_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                                 const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                                 int8_t *output, void *scratch);

/** The largest window te_conv_im2col_stream_s8 takes: kh * kw * in_channels taps. */
#define TE_CONV_STREAM_MAX_TAPS 12

/** Scratch bytes te_conv_im2col_stream_s8 needs: 0. */
size_t te_conv_im2col_stream_s8_scratch_bytes(const te_dims *filter_dims);

/**
 * int8 CONV_2D (and DEPTHWISE_CONV_2D on one input channel, lowered as for te_conv_im2col_s8) on
 * windows of K = kh * kw * in_channels <= TE_CONV_STREAM_MAX_TAPS taps, dilation 1, any stride and
 * padding, batch n >= 1. Its own packed filter (docs/formats.md "stream records"; te-gen
 * ops_conv.pack_conv_stream): per output channel W + 4 int32s (W = 5 pair words for K <= 10, else
 * 6): 2 * bias, W words of doubled weights as int16 pairs (low half first) in the row-pair tap
 * order of te_conv_im2col_stream_s8.c (zero pairs after ceil(K / 2)), multiplier (>= 0), round =
 * te_requant2_round(-e, output_offset), right shift e (1..22); |bias| < 2^29; 4-byte aligned.
 * Records out of that range (or made for another output offset) give TE_ERROR_ARGUMENT. Cortex-M
 * streams the records for the whole int8 activation range and an even channel count; a clamp
 * runs the exact C loop. No scratch. Overlap contract above: one output pixel at a time, its
 * window (and bytes after its first byte in the same input rows) read before its outputs.
 */
te_status te_conv_im2col_stream_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                                   const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                                   int8_t *output, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_CONV_H */
