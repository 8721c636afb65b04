/*
 * In-place int8 DEPTHWISE_CONV_2D (depth multiplier 1, batch 1), TinyEngine's memory trick.
 *
 * Channel by channel: copy input channel c (in_h * in_w bytes, strided by C) into scratch, then
 * write output channel c over the buffer. Output (y, x, c) sits at ((y * out_w + x) * C + c), a
 * byte of input channel c (out_h * out_w <= in_h * in_w), already saved in scratch; channels not
 * yet processed are never touched.
 *
 * Square 3x3, 5x5 and 7x7 kernels without dilation (the MCUNet search space) take a fast path for
 * the windows whose columns lie inside the input (any rows): the input offset of the rows inside
 * is folded into the bias (sum((x + off) * w) = sum(x * w) + off * sum(w), exact in int32) and the
 * window row is unrolled.
 * Other windows: on the DSP path (dilation_w 1, up to TE_DW_INPLACE_MAX_TAPS taps) two horizontal
 * taps go through one SXTAB16 + SMLAD; otherwise one multiply-accumulate per tap.
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

#define TE_DW_INPLACE_MAX_TAPS 128

size_t te_depthwise_conv_inplace_s8_scratch_bytes(const te_dims *input_dims)
{
    return (size_t)input_dims->h * (size_t)input_dims->w;
}

/* One output pixel from the saved channel plane: taps [ky0,ky1) x [kx0,kx1), weights strided. */
TE_NOINLINE static int32_t te_plane_pixel(const te_depthwise_params *params, const int8_t *plane, int32_t plane_w,
                              const int8_t *weights, int32_t weight_step, int32_t kw, int32_t y0, int32_t x0,
                              const int32_t range[4], int32_t acc)
{
    int32_t ky;
    for (ky = range[0]; ky < range[1]; ++ky) {
        const int8_t *row = plane + (y0 + ky * params->dilation_h) * plane_w + x0;
        int32_t kx;
        for (kx = range[2]; kx < range[3]; ++kx) {
            const int32_t w = weights[(ky * kw + kx) * weight_step];
            acc += ((int32_t)row[kx * params->dilation_w] + params->input_offset) * w;
        }
    }
    return acc;
}

/*
 * Windows of one output row whose columns lie inside the input, kernel k x k (k a constant after
 * inlining), dilation 1, kernel rows [ky0, ky1) inside the input; window points at row ky0 of the
 * first window. The input offset of those rows is already folded into acc0. w: the channel's k*k
 * weights; on the DSP path, pairs: per kernel row, (k / 2) int16 pairs of horizontal taps, then
 * the odd last tap in last[ky].
 */
static inline void te_plane_row_interior(const int8_t *window, int32_t plane_w, int32_t stride_w, const int32_t *w,
                                         const int32_t *pairs, const int32_t *last, int32_t k, int32_t ky0,
                                         int32_t ky1, int32_t count, int32_t acc0, const te_depthwise_params *params,
                                         int32_t multiplier, int32_t shift, int8_t *out, int32_t channels)
{
    /* Copied out of params: the int8 stores below may alias them, which would force reloads. */
    const int32_t output_offset = params->output_offset;
    const te_activation activation = params->activation;
    int32_t n;
    for (n = 0; n < count; ++n) {
        const int8_t *row = window;
        int32_t acc = acc0;
        int32_t ky;
        for (ky = ky0; ky < ky1; ++ky) {
            int32_t kx = 0;
#if defined(__ARM_FEATURE_DSP)
            for (; kx + 2 <= k; kx += 2) {
                const uint32_t two = te_read_u8x2(row + kx);
                acc = __smlad(__sxtb16((int32_t)(two | (two << 8))), pairs[ky * (k / 2) + kx / 2], acc);
            }
            if (kx < k) {
                acc += (int32_t)row[kx] * last[ky];
            }
            (void)w;
#else
            for (; kx < k; ++kx) {
                acc += (int32_t)row[kx] * w[ky * k + kx];
            }
            (void)pairs;
            (void)last;
#endif
            row += plane_w;
        }
        *out = te_requantize_s8(acc, multiplier, shift, output_offset, activation);
        out += channels;
        window += stride_w;
    }
}

/* te_plane_row_interior specialised for the kernel sizes of the fast path (3, 5, 7). */
TE_NOINLINE static void te_plane_row_fast(const int8_t *window, int32_t plane_w, const int32_t *w,
                                          const int32_t *pairs, const int32_t *last, int32_t k, const int32_t rows[2],
                                          int32_t count, int32_t acc0, const te_depthwise_params *params,
                                          int32_t multiplier, int32_t shift, int8_t *out, int32_t channels)
{
    const int32_t s = params->stride_w;
    const int full = rows[0] == 0 && rows[1] == k; /* constant row bounds: fully unrolled */
    if (k == 3 && full) {
        te_plane_row_interior(window, plane_w, s, w, pairs, last, 3, 0, 3, count, acc0, params, multiplier, shift,
                              out, channels);
    } else if (k == 3) {
        te_plane_row_interior(window, plane_w, s, w, pairs, last, 3, rows[0], rows[1], count, acc0, params,
                              multiplier, shift, out, channels);
    } else if (k == 5 && full) {
        te_plane_row_interior(window, plane_w, s, w, pairs, last, 5, 0, 5, count, acc0, params, multiplier, shift,
                              out, channels);
    } else if (k == 5) {
        te_plane_row_interior(window, plane_w, s, w, pairs, last, 5, rows[0], rows[1], count, acc0, params,
                              multiplier, shift, out, channels);
    } else if (full) {
        te_plane_row_interior(window, plane_w, s, w, pairs, last, 7, 0, 7, count, acc0, params, multiplier, shift,
                              out, channels);
    } else {
        te_plane_row_interior(window, plane_w, s, w, pairs, last, 7, rows[0], rows[1], count, acc0, params,
                              multiplier, shift, out, channels);
    }
}

#if defined(__ARM_FEATURE_DSP)
/* Same with dilation_w 1 and the channel's weights as int16 (kh x kw): two taps per SMLAD. */
TE_NOINLINE static int32_t te_plane_pixel_pairs(const te_depthwise_params *params, const int8_t *plane, int32_t plane_w,
                                    const int16_t *weights, int32_t kw, int32_t y0, int32_t x0,
                                    const int32_t range[4], int32_t acc)
{
    const int32_t off2 = te_pack_s16x2(params->input_offset);
    const int32_t taps = range[3] - range[2];
    int32_t ky;
    for (ky = range[0]; ky < range[1]; ++ky) {
        const int8_t *row = plane + (y0 + ky * params->dilation_h) * plane_w + x0 + range[2];
        const int16_t *w = weights + ky * kw + range[2];
        int32_t k;
        for (k = 0; k + 2 <= taps; k += 2) {
            const uint32_t two = te_read_u8x2(row + k);
            const uint32_t v = two | (two << 8); /* bytes 0 and 2 now hold taps k, k+1 */
            acc = __smlad(__sxtab16(off2, (int32_t)v), te_read_s16x2(w + k), acc);
        }
        if (k < taps) {
            acc += ((int32_t)row[k] + params->input_offset) * (int32_t)w[k];
        }
    }
    return acc;
}
#endif

te_status te_depthwise_conv_inplace_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                       const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                       const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                       void *scratch)
{
    int8_t *plane = (int8_t *)scratch;
    const int32_t channels = input_dims->c;
    const int32_t pixels = input_dims->h * input_dims->w;
    const int32_t kw = filter_dims->w;
    const int32_t taps = filter_dims->h * kw;
    const int fast = filter_dims->h == kw && (kw == 3 || kw == 5 || kw == 7) && params->dilation_h == 1 &&
                     params->dilation_w == 1;
    int32_t x_first = 0;
    int32_t x_last = 0;
    int32_t weights32[49];
    int32_t pairs[21]; /* 7 rows x 3 pairs */
    int32_t last[7];
    int32_t row_sums[7]; /* per kernel row: sum of its weights, to fold the input offset */
    int32_t c;
#if defined(__ARM_FEATURE_DSP)
    int16_t weights16[TE_DW_INPLACE_MAX_TAPS];
    const int use_pairs = params->dilation_w == 1 && taps <= TE_DW_INPLACE_MAX_TAPS;
#endif
    if (params->depth_multiplier != 1 || input_dims->n != 1 || output_dims->n != 1 || output_dims->c != channels ||
        filter_dims->c != channels || output_dims->h * output_dims->w > pixels || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
    if (plane == NULL) {
        return TE_ERROR_SCRATCH;
    }
    if (fast) { /* output columns whose window lies fully inside the input */
        x_first = (params->pad_left + params->stride_w - 1) / params->stride_w;
        x_last = input_dims->w - kw + params->pad_left >= 0
                     ? (input_dims->w - kw + params->pad_left) / params->stride_w + 1
                     : 0;
        x_last = x_last > output_dims->w ? output_dims->w : x_last;
        x_first = x_first > x_last ? x_last : x_first;
    }
    for (c = 0; c < channels; ++c) {
        const int32_t multiplier = quant->multiplier[c];
        const int32_t shift = quant->shift[c];
        const int32_t acc0 = bias != NULL ? bias[c] : 0;
        int32_t p;
        int32_t oy;
        for (p = 0; p < pixels; ++p) {
            plane[p] = buffer[p * channels + c];
        }
        if (fast) {
            int32_t ky;
            for (p = 0; p < taps; ++p) {
                weights32[p] = filter[p * channels + c];
            }
            for (ky = 0; ky < kw; ++ky) {
                int32_t kx;
                row_sums[ky] = 0;
                for (kx = 0; kx < kw; ++kx) {
                    row_sums[ky] += weights32[ky * kw + kx];
                }
                for (kx = 0; kx + 2 <= kw; kx += 2) {
                    const uint32_t lo = (uint32_t)weights32[ky * kw + kx] & 0xFFFFu;
                    pairs[ky * (kw / 2) + kx / 2] = (int32_t)(lo | ((uint32_t)weights32[ky * kw + kx + 1] << 16));
                }
                last[ky] = weights32[ky * kw + kw - 1];
            }
        }
#if defined(__ARM_FEATURE_DSP)
        if (use_pairs) {
            for (p = 0; p < taps; ++p) {
                weights16[p] = filter[p * channels + c];
            }
        }
#endif
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t y0 = oy * params->stride_h - params->pad_top;
            int8_t *out = buffer + oy * output_dims->w * channels + c;
            int32_t range[4];
            int32_t ox;
            te_tap_range(y0, params->dilation_h, filter_dims->h, input_dims->h, &range[0], &range[1]);
            if (fast && x_first < x_last) {
                int32_t folded = acc0;
                int32_t ky;
                for (ky = range[0]; ky < range[1]; ++ky) {
                    folded += params->input_offset * row_sums[ky];
                }
                te_plane_row_fast(plane + (y0 + range[0]) * input_dims->w + x_first * params->stride_w -
                                      params->pad_left,
                                  input_dims->w, weights32, pairs, last, kw, range, x_last - x_first, folded, params,
                                  multiplier, shift, out + x_first * channels, channels);
            }
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t x0 = ox * params->stride_w - params->pad_left;
                int32_t acc;
                if (fast && ox == x_first && x_first < x_last) {
                    ox = x_last - 1; /* done by te_plane_row_fast */
                    continue;
                }
                te_tap_range(x0, params->dilation_w, kw, input_dims->w, &range[2], &range[3]);
#if defined(__ARM_FEATURE_DSP)
                if (use_pairs) {
                    acc = te_plane_pixel_pairs(params, plane, input_dims->w, weights16, kw, y0, x0, range, acc0);
                } else
#endif
                {
                    acc = te_plane_pixel(params, plane, input_dims->w, filter + c, channels, kw, y0, x0, range, acc0);
                }
                out[ox * channels] = te_requantize_s8(acc, multiplier, shift, params->output_offset, params->activation);
            }
        }
    }
    return TE_OK;
}
