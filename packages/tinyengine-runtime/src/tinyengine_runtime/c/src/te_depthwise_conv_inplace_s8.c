/*
 * In-place int8 DEPTHWISE_CONV_2D (depth multiplier 1, batch 1), TinyEngine's memory trick.
 *
 * Channel by channel: copy input channel c (in_h * in_w bytes, strided by C) into scratch, then
 * write output channel c over the buffer. Output (y, x, c) sits at ((y * out_w + x) * C + c), a
 * byte of input channel c (out_h * out_w <= in_h * in_w), already saved in scratch; channels not
 * yet processed are never touched.
 *
 * Square 3x3, 5x5 and 7x7 kernels without dilation (the MCUNet search space) take the fast path:
 * the channel is copied into a padded plane ((out_h - 1) * stride_h + k rows, likewise columns)
 * whose padding holds the input zero point, so that every window lies inside the plane and the
 * input offset folds into the bias (sum((x + off) * w) = sum(x * w) + off * sum(w), exact in int32;
 * a padding tap contributes (zp + off) * w = 0 either way). Each output row then runs one unrolled
 * loop specialised by kernel size; with k = 3, stride 1 or 2, two outputs per step share one word
 * load and two SXTB16 per kernel row.
 * Other kernels: on the DSP path (dilation_w 1, up to TE_DW_INPLACE_MAX_TAPS taps) two horizontal
 * taps go through one SXTAB16 + SMLAD; otherwise one multiply-accumulate per tap.
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

#define TE_DW_INPLACE_MAX_TAPS 128

/* The fast path's kernels: square 3x3, 5x5, 7x7, no dilation. */
static int te_dw_padded_path(const te_depthwise_params *params, const te_dims *filter_dims)
{
    const int32_t k = filter_dims->w;
    return filter_dims->h == k && (k == 3 || k == 5 || k == 7) && params->dilation_h == 1 &&
           params->dilation_w == 1;
}

/* Bytes of the fast path's padded plane. */
static size_t te_dw_plane_bytes(const te_depthwise_params *params, const te_dims *filter_dims,
                                const te_dims *output_dims)
{
    return (size_t)((output_dims->h - 1) * params->stride_h + filter_dims->h) *
           (size_t)((output_dims->w - 1) * params->stride_w + filter_dims->w);
}

/* Small maps: four channels at a time (SIMD across channels) when their copy takes at most
 * TE_DW_GROUP_BYTES or no more than the padded plane, so that the per-channel set-up of the plane
 * path does not dominate. */
#define TE_DW_GROUP_BYTES 64
static int te_dw_group_path(const te_depthwise_params *params, const te_dims *input_dims,
                            const te_dims *filter_dims, const te_dims *output_dims)
{
    const size_t group = 4 * (size_t)input_dims->h * (size_t)input_dims->w;
    return te_dw_padded_path(params, filter_dims) &&
           (group <= TE_DW_GROUP_BYTES || group <= te_dw_plane_bytes(params, filter_dims, output_dims));
}

size_t te_depthwise_conv_inplace_s8_scratch_bytes(const te_depthwise_params *params, const te_dims *input_dims,
                                                  const te_dims *filter_dims, const te_dims *output_dims)
{
    if (te_dw_group_path(params, input_dims, filter_dims, output_dims)) {
        return 4 * (size_t)input_dims->h * (size_t)input_dims->w;
    }
    if (te_dw_padded_path(params, filter_dims)) {
        return te_dw_plane_bytes(params, filter_dims, output_dims);
    }
    return (size_t)input_dims->h * (size_t)input_dims->w;
}

/* Accumulators of channels c..c+n-1 (n <= 4) of one output pixel; group holds their input, H x W x 4. */
static inline void te_dw_group_pixel(const te_depthwise_params *params, const te_dims *input_dims,
                                     const te_dims *filter_dims, const int8_t *filter, const int8_t *group,
                                     int32_t c, int32_t n, int32_t y0, int32_t x0, int32_t acc[4])
{
    const int32_t channels = input_dims->c;
    const int32_t input_offset = params->input_offset;
    int32_t ky0, ky1, kx0, kx1, ky;
    te_tap_range(y0, 1, filter_dims->h, input_dims->h, &ky0, &ky1);
    te_tap_range(x0, 1, filter_dims->w, input_dims->w, &kx0, &kx1);
    for (ky = ky0; ky < ky1; ++ky) {
        const int8_t *x = group + ((y0 + ky) * input_dims->w + x0 + kx0) * 4;
        const int8_t *w = filter + (ky * filter_dims->w + kx0) * channels + c;
        int32_t kx;
#if defined(__ARM_FEATURE_DSP)
        if (n == 4) {
            const int32_t off2 = te_pack_s16x2(input_offset);
            int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
            for (kx = kx0; kx < kx1; ++kx) {
                const int32_t xv = te_read_s8x4(x);
                const int32_t wv = te_read_s8x4(w);
                const int32_t x02 = __sxtab16(off2, xv);
                const int32_t x13 = te_sxtab16_ror8(off2, xv);
                const int32_t w02 = __sxtb16(wv);
                const int32_t w13 = te_sxtb16_ror8(wv);
                a0 = __smlabb(x02, w02, a0);
                a2 = __smlatt(x02, w02, a2);
                a1 = __smlabb(x13, w13, a1);
                a3 = __smlatt(x13, w13, a3);
                x += 4;
                w += channels;
            }
            acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
            continue;
        }
#endif
        for (kx = kx0; kx < kx1; ++kx) {
            int32_t j;
            for (j = 0; j < n; ++j) {
                acc[j] += ((int32_t)x[j] + input_offset) * (int32_t)w[j];
            }
            x += 4;
            w += channels;
        }
    }
}

/* The small-map path: channel groups of four copied to scratch (H x W x 4), then their outputs. */
TE_NOINLINE static void te_dw_inplace_groups(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                             const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                             const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                             int8_t *group)
{
    const int32_t channels = input_dims->c;
    const int32_t pixels = input_dims->h * input_dims->w;
    int32_t c;
    for (c = 0; c < channels; c += 4) {
        const int32_t n = channels - c < 4 ? channels - c : 4;
        int8_t *out = buffer + c;
        int32_t p, oy;
        for (p = 0; p < pixels; ++p) {
            int32_t j;
            for (j = 0; j < n; ++j) {
                group[p * 4 + j] = buffer[p * channels + c + j];
            }
        }
        for (oy = 0; oy < output_dims->h; ++oy) {
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                int32_t acc[4] = {0, 0, 0, 0};
                int32_t j;
                for (j = 0; j < n; ++j) {
                    acc[j] = bias != NULL ? bias[c + j] : 0;
                }
                te_dw_group_pixel(params, input_dims, filter_dims, filter, group, c, n,
                                  oy * params->stride_h - params->pad_top, ox * params->stride_w - params->pad_left,
                                  acc);
                for (j = 0; j < n; ++j) {
                    out[j] = te_requantize_s8(acc[j], quant->multiplier[c + j], quant->shift[c + j],
                                              params->output_offset, params->activation);
                }
                out += channels;
            }
        }
    }
}

/* Channel c of the buffer into the padded plane (ph x pw), padding = the input zero point. */
TE_NOINLINE static void te_dw_fill_plane(const int8_t *buffer, int32_t c, int32_t channels, const te_dims *input_dims,
                                         int32_t pad_top, int32_t pad_left, int32_t ph, int32_t pw, int8_t pad,
                                         int8_t *plane)
{
    const int32_t x_end = pad_left + input_dims->w < pw ? pad_left + input_dims->w : pw;
    int32_t y;
    for (y = 0; y < ph; ++y) {
        const int32_t iy = y - pad_top;
        int8_t *dst = plane + y * pw;
        int32_t x = 0;
        if (iy < 0 || iy >= input_dims->h) {
            for (; x < pw; ++x) {
                dst[x] = pad;
            }
            continue;
        }
        {
            const int8_t *src = buffer + (size_t)iy * (size_t)input_dims->w * (size_t)channels + c;
            for (; x < pad_left; ++x) {
                dst[x] = pad;
            }
            for (; x + 4 <= x_end; x += 4) {
                dst[x] = src[0];
                dst[x + 1] = src[channels];
                dst[x + 2] = src[2 * channels];
                dst[x + 3] = src[3 * channels];
                src += 4 * channels;
            }
            for (; x < x_end; ++x) {
                dst[x] = *src;
                src += channels;
            }
            for (; x < pw; ++x) {
                dst[x] = pad;
            }
        }
    }
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

/* The channel's k x k weights for the fast path; on the DSP path as int16 pairs of horizontal taps
 * (per kernel row k / 2 pairs, the odd last tap apart). */
typedef struct {
    int32_t w[49];
    int32_t pairs[21]; /* 7 rows x 3 pairs */
    int32_t last[7];
} te_dw_taps;

/* Requantization of one channel: its values, loaded once per plane. */
typedef struct {
    int32_t multiplier;
    int32_t shift;
    int32_t output_offset;
    te_activation activation;
} te_dw_requant;

/* Outputs computed per pass of the multiply loops before they are requantized (stack int32s). */
#define TE_DW_RUN 64

/* n accumulators of one channel requantized into out[0], out[channels], ... */
TE_NOINLINE static void te_dw_requant_run(const int32_t *acc, int32_t n, const te_dw_requant *q, int8_t *out,
                                          int32_t channels)
{
    const int32_t multiplier = q->multiplier;
    const int32_t shift = q->shift;
    const int32_t output_offset = q->output_offset;
    const te_activation activation = q->activation;
    int32_t i;
    if (te_right2_applies(multiplier, shift)) {
        for (i = 0; i < n; ++i) {
            const int32_t v = te_multiply_by_quantized_multiplier_right2(acc[i], multiplier, shift);
            out[i * channels] = te_offset_clamp_s8(v, output_offset, activation);
        }
        return;
    }
    for (i = 0; i < n; ++i) {
        out[i * channels] = te_requantize_s8(acc[i], multiplier, shift, output_offset, activation);
    }
}

/*
 * Accumulators of count outputs of one row from the padded plane, kernel k x k (a constant after
 * inlining): window points at the first window's top-left tap, acc0 holds the bias with the input
 * offset folded in.
 */
static inline void te_plane_macs(const int8_t *window, int32_t plane_w, int32_t stride_w, const te_dw_taps *t,
                                 int32_t k, int32_t count, int32_t acc0, int32_t *acc_out)
{
    int32_t n;
    for (n = 0; n < count; ++n) {
        const int8_t *row = window;
        int32_t acc = acc0;
        int32_t ky;
        for (ky = 0; ky < k; ++ky) {
            int32_t kx = 0;
#if defined(__ARM_FEATURE_DSP)
            for (; kx + 2 <= k; kx += 2) {
                const uint32_t two = te_read_u8x2(row + kx);
                acc = __smlad(__sxtb16((int32_t)(two | (two << 8))), t->pairs[ky * (k / 2) + kx / 2], acc);
            }
            acc += (int32_t)row[kx] * t->last[ky];
#else
            for (; kx < k; ++kx) {
                acc += (int32_t)row[kx] * t->w[ky * k + kx];
            }
#endif
            row += plane_w;
        }
        acc_out[n] = acc;
        window += stride_w;
    }
}

/* 3x3, stride 1: two outputs per step; per kernel row one word (taps x..x+3) feeds both. */
static inline void te_plane_macs_3x3_s1(const int8_t *window, int32_t plane_w, const te_dw_taps *t, int32_t count,
                                        int32_t acc0, int32_t *acc_out)
{
    int32_t n = 0;
#if defined(__ARM_FEATURE_DSP)
    /* per row: (w0, w2) as an int16 pair, w1 alone */
    const int32_t p0 = (int32_t)(((uint32_t)t->w[0] & 0xFFFFu) | ((uint32_t)t->w[2] << 16));
    const int32_t p1 = (int32_t)(((uint32_t)t->w[3] & 0xFFFFu) | ((uint32_t)t->w[5] << 16));
    const int32_t p2 = (int32_t)(((uint32_t)t->w[6] & 0xFFFFu) | ((uint32_t)t->w[8] << 16));
    const int32_t m0 = t->w[1];
    const int32_t m1 = t->w[4];
    const int32_t m2 = t->w[7];
    for (; n + 2 <= count; n += 2) {
        const int32_t r0 = te_read_s8x4(window);
        const int32_t r1 = te_read_s8x4(window + plane_w);
        const int32_t r2 = te_read_s8x4(window + 2 * plane_w);
        const int32_t e0 = __sxtb16(r0);       /* taps 0, 2 */
        const int32_t o0 = te_sxtb16_ror8(r0); /* taps 1, 3 */
        const int32_t e1 = __sxtb16(r1);
        const int32_t o1 = te_sxtb16_ror8(r1);
        const int32_t e2 = __sxtb16(r2);
        const int32_t o2 = te_sxtb16_ror8(r2);
        int32_t a = __smlad(e0, p0, acc0);
        int32_t b = __smlad(o0, p0, acc0);
        a = __smlabb(o0, m0, a);
        b = __smlatb(e0, m0, b);
        a = __smlad(e1, p1, a);
        b = __smlad(o1, p1, b);
        a = __smlabb(o1, m1, a);
        b = __smlatb(e1, m1, b);
        a = __smlad(e2, p2, a);
        b = __smlad(o2, p2, b);
        a = __smlabb(o2, m2, a);
        b = __smlatb(e2, m2, b);
        acc_out[n] = a;
        acc_out[n + 1] = b;
        window += 2;
    }
#endif
    if (n < count) {
        te_plane_macs(window, plane_w, 1, t, 3, count - n, acc0, acc_out + n);
    }
}

/* 3x3, stride 2: two outputs per step; per kernel row one word (taps x..x+3) and one byte (x+4). */
static inline void te_plane_macs_3x3_s2(const int8_t *window, int32_t plane_w, const te_dw_taps *t, int32_t count,
                                        int32_t acc0, int32_t *acc_out)
{
    int32_t n = 0;
#if defined(__ARM_FEATURE_DSP)
    /* per row: (w0, w2) as an int16 pair, w1 alone */
    const int32_t p0 = (int32_t)(((uint32_t)t->w[0] & 0xFFFFu) | ((uint32_t)t->w[2] << 16));
    const int32_t p1 = (int32_t)(((uint32_t)t->w[3] & 0xFFFFu) | ((uint32_t)t->w[5] << 16));
    const int32_t p2 = (int32_t)(((uint32_t)t->w[6] & 0xFFFFu) | ((uint32_t)t->w[8] << 16));
    const int32_t m0 = t->w[1];
    const int32_t m1 = t->w[4];
    const int32_t m2 = t->w[7];
    for (; n + 2 <= count; n += 2) {
        const int8_t *row1 = window + plane_w;
        const int8_t *row2 = window + 2 * plane_w;
        const int32_t r0 = te_read_s8x4(window);
        const int32_t r1 = te_read_s8x4(row1);
        const int32_t r2 = te_read_s8x4(row2);
        const int32_t e0 = __sxtb16(r0);       /* taps 0, 2 */
        const int32_t o0 = te_sxtb16_ror8(r0); /* taps 1, 3 */
        const int32_t e1 = __sxtb16(r1);
        const int32_t o1 = te_sxtb16_ror8(r1);
        const int32_t e2 = __sxtb16(r2);
        const int32_t o2 = te_sxtb16_ror8(r2);
        int32_t a = __smlad(e0, p0, acc0);
        int32_t b = __smlatb(e0, p0, acc0); /* tap 2 x w0 */
        a = __smlabb(o0, m0, a);
        b = __smlatb(o0, m0, b);                    /* tap 3 x w1 */
        b = __smlabt((int32_t)window[4], p0, b);   /* tap 4 x w2 */
        a = __smlad(e1, p1, a);
        b = __smlatb(e1, p1, b);
        a = __smlabb(o1, m1, a);
        b = __smlatb(o1, m1, b);
        b = __smlabt((int32_t)row1[4], p1, b);
        a = __smlad(e2, p2, a);
        b = __smlatb(e2, p2, b);
        a = __smlabb(o2, m2, a);
        b = __smlatb(o2, m2, b);
        b = __smlabt((int32_t)row2[4], p2, b);
        acc_out[n] = a;
        acc_out[n + 1] = b;
        window += 4;
    }
#endif
    if (n < count) {
        te_plane_macs(window, plane_w, 2, t, 3, count - n, acc0, acc_out + n);
    }
}

/* rows x count accumulators (rows row_step apart in the plane), kernel k and stride sw constant. */
static inline void te_plane_macs_rows(const int8_t *window, int32_t plane_w, int32_t row_step, int32_t sw,
                                      const te_dw_taps *t, int32_t k, int32_t rows, int32_t count, int32_t acc0,
                                      int32_t *acc_out)
{
    int32_t r;
    for (r = 0; r < rows; ++r) {
        if (k == 3 && sw == 1) {
            te_plane_macs_3x3_s1(window, plane_w, t, count, acc0, acc_out);
        } else if (k == 3 && sw == 2) {
            te_plane_macs_3x3_s2(window, plane_w, t, count, acc0, acc_out);
        } else {
            te_plane_macs(window, plane_w, sw, t, k, count, acc0, acc_out);
        }
        window += row_step;
        acc_out += count;
    }
}

/* Accumulators of rows x count outputs (k and stride as specialised loops). */
TE_NOINLINE static void te_plane_run(const int8_t *window, int32_t plane_w, int32_t row_step, int32_t sw,
                                     const te_dw_taps *t, int32_t k, int32_t rows, int32_t count, int32_t acc0,
                                     int32_t *acc_out)
{
    if (k == 3 && sw == 1) {
        te_plane_macs_rows(window, plane_w, row_step, 1, t, 3, rows, count, acc0, acc_out);
    } else if (k == 3 && sw == 2) {
        te_plane_macs_rows(window, plane_w, row_step, 2, t, 3, rows, count, acc0, acc_out);
    } else if (k == 3) {
        te_plane_macs_rows(window, plane_w, row_step, sw, t, 3, rows, count, acc0, acc_out);
    } else if (k == 5 && sw == 1) {
        te_plane_macs_rows(window, plane_w, row_step, 1, t, 5, rows, count, acc0, acc_out);
    } else if (k == 5) {
        te_plane_macs_rows(window, plane_w, row_step, sw, t, 5, rows, count, acc0, acc_out);
    } else if (sw == 1) {
        te_plane_macs_rows(window, plane_w, row_step, 1, t, 7, rows, count, acc0, acc_out);
    } else {
        te_plane_macs_rows(window, plane_w, row_step, sw, t, 7, rows, count, acc0, acc_out);
    }
}

/* Every output of one channel from its padded plane: whole rows, up to TE_DW_RUN outputs a pass. */
static void te_plane_rows(const int8_t *plane, int32_t plane_w, const te_depthwise_params *params,
                          const te_dw_taps *t, int32_t k, const te_dims *output_dims, int32_t acc0,
                          const te_dw_requant *q, int8_t *out, int32_t channels)
{
    const int32_t sw = params->stride_w;
    const int32_t row_step = params->stride_h * plane_w;
    const int32_t out_w = output_dims->w;
    const int32_t rows_per_run = out_w < TE_DW_RUN ? TE_DW_RUN / out_w : 1;
    int32_t acc[TE_DW_RUN];
    int32_t oy;
    for (oy = 0; oy < output_dims->h; oy += rows_per_run) {
        const int32_t rows = output_dims->h - oy < rows_per_run ? output_dims->h - oy : rows_per_run;
        int32_t x;
        for (x = 0; x < out_w; x += TE_DW_RUN) {
            const int32_t n = out_w - x < TE_DW_RUN ? out_w - x : TE_DW_RUN;
            te_plane_run(plane + oy * row_step + x * sw, plane_w, row_step, sw, t, k, rows, n, acc0, acc);
            te_dw_requant_run(acc, rows * n, q, out + (oy * out_w + x) * channels, channels);
        }
    }
}

/* The fast path: square 3/5/7 kernels, no dilation, through the padded plane. */
static void te_dw_inplace_padded(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                 const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                 const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                 int8_t *plane)
{
    const int32_t channels = input_dims->c;
    const int32_t k = filter_dims->w;
    const int32_t ph = (output_dims->h - 1) * params->stride_h + k;
    const int32_t pw = (output_dims->w - 1) * params->stride_w + k;
    const int8_t pad = (int8_t)(-params->input_offset);
    te_dw_taps t;
    te_dw_requant q;
    int32_t c;
    q.output_offset = params->output_offset;
    q.activation = params->activation;
    for (c = 0; c < channels; ++c) {
        int32_t sum = 0;
        int32_t ky;
        int32_t p;
        te_dw_fill_plane(buffer, c, channels, input_dims, params->pad_top, params->pad_left, ph, pw, pad, plane);
        for (p = 0; p < k * k; ++p) {
            t.w[p] = filter[p * channels + c];
            sum += t.w[p];
        }
        for (ky = 0; ky < k; ++ky) {
            int32_t kx;
            for (kx = 0; kx + 2 <= k; kx += 2) {
                const uint32_t lo = (uint32_t)t.w[ky * k + kx] & 0xFFFFu;
                t.pairs[ky * (k / 2) + kx / 2] = (int32_t)(lo | ((uint32_t)t.w[ky * k + kx + 1] << 16));
            }
            t.last[ky] = t.w[ky * k + k - 1];
        }
        q.multiplier = quant->multiplier[c];
        q.shift = quant->shift[c];
        te_plane_rows(plane, pw, params, &t, k, output_dims,
                      (bias != NULL ? bias[c] : 0) + params->input_offset * sum, &q, buffer + c, channels);
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
    int32_t c;
#if defined(__ARM_FEATURE_DSP)
    const int32_t taps = filter_dims->h * kw;
    int16_t weights16[TE_DW_INPLACE_MAX_TAPS];
    const int use_pairs = params->dilation_w == 1 && taps <= TE_DW_INPLACE_MAX_TAPS;
#endif
    if (params->depth_multiplier != 1 || input_dims->n != 1 || output_dims->n != 1 || output_dims->c != channels ||
        filter_dims->c != channels || output_dims->h * output_dims->w > pixels || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1 || output_dims->h < 1 ||
        output_dims->w < 1 || params->pad_top < 0 || params->pad_left < 0) {
        return TE_ERROR_ARGUMENT;
    }
    if (plane == NULL) {
        return TE_ERROR_SCRATCH;
    }
    if (te_dw_group_path(params, input_dims, filter_dims, output_dims)) {
        te_dw_inplace_groups(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims, plane);
        return TE_OK;
    }
    if (te_dw_padded_path(params, filter_dims)) {
        te_dw_inplace_padded(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims, plane);
        return TE_OK;
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
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t x0 = ox * params->stride_w - params->pad_left;
                int32_t acc;
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
