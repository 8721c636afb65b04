/*
 * Generic int8 DEPTHWISE_CONV_2D: any kernel size, stride, dilation and depth multiplier.
 *
 * Taps that fall on the padding are skipped (TFLite's reference does the same): the in-bounds tap
 * range is computed once per output pixel. With depth multiplier 1 the DSP path handles four
 * channels per step: SXTAB16 adds the input offset to two bytes at once and SMLABB/SMLATT
 * accumulate each channel separately. With a depth multiplier that is a multiple of four, four
 * outputs of one input channel share each input value (SMLABB/SMLABT against SXTB16'd weights);
 * a multiple of eight shares it between eight, with doubled accumulators and te_requant2 (when every
 * channel's quantization allows it) storing two outputs at a time. A depth multiplier of 8 on one
 * input channel (person_detect's first layer) takes windows inside the input two horizontal taps at
 * a time (LDRH, SXTAB16, SMLAD against a stack table of doubled weight pairs, te_dw_pairs4) when the
 * table fits TE_DW_PAIR_TABLE words.
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

/* In-bounds taps of one output pixel, and where they start in the input and the filter. */
typedef struct {
    int32_t ky0, ky1, kx0, kx1;
    const int8_t *input;  /* input pixel of tap (ky0, kx0), channel 0 */
    const int8_t *filter; /* filter tap (ky0, kx0), channel 0 */
    int32_t input_row;    /* input step between kernel rows, bytes */
    int32_t input_col;    /* input step between kernel columns, bytes */
} te_dw_window;

static te_dw_window te_dw_window_at(const te_depthwise_params *params, const te_dims *input_dims,
                                    const int8_t *image, const te_dims *filter_dims, const int8_t *filter,
                                    int32_t y0, int32_t x0)
{
    te_dw_window w;
    const int32_t in_c = input_dims->c;
    te_tap_range(y0, params->dilation_h, filter_dims->h, input_dims->h, &w.ky0, &w.ky1);
    te_tap_range(x0, params->dilation_w, filter_dims->w, input_dims->w, &w.kx0, &w.kx1);
    w.input = image + ((y0 + w.ky0 * params->dilation_h) * input_dims->w + x0 + w.kx0 * params->dilation_w) * in_c;
    w.filter = filter + (w.ky0 * filter_dims->w + w.kx0) * filter_dims->c;
    w.input_row = params->dilation_h * input_dims->w * in_c;
    w.input_col = params->dilation_w * in_c;
    return w;
}

#if defined(__ARM_FEATURE_DSP)
/* Four channels c..c+3 of one output pixel (depth multiplier 1). */
TE_NOINLINE static void te_dw_four_channels(const te_dw_window *w, int32_t filter_w, int32_t channels, int32_t input_offset,
                                int32_t c, int32_t acc[4])
{
    const int32_t off2 = te_pack_s16x2(input_offset);
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    const int8_t *in_row = w->input + c;
    const int8_t *f_row = w->filter + c;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        int32_t kx;
        for (kx = w->kx0; kx < w->kx1; ++kx) {
            const int32_t xv = te_read_s8x4(in);
            const int32_t wv = te_read_s8x4(f);
            const int32_t x02 = __sxtab16(off2, xv);
            const int32_t x13 = te_sxtab16_ror8(off2, xv);
            const int32_t w02 = __sxtb16(wv);
            const int32_t w13 = te_sxtb16_ror8(wv);
            a0 = __smlabb(x02, w02, a0);
            a2 = __smlatt(x02, w02, a2);
            a1 = __smlabb(x13, w13, a1);
            a3 = __smlatt(x13, w13, a3);
            in += w->input_col;
            f += channels;
        }
        in_row += w->input_row;
        f_row += filter_w * channels;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Four output channels oc..oc+3 of one output pixel that read the same input channel ic (depth
 * multiplier a multiple of four): one input value times four weights per tap. */
TE_NOINLINE static void te_dw_four_outputs(const te_dw_window *w, int32_t filter_w, int32_t out_channels,
                                           int32_t input_offset, int32_t ic, int32_t oc, int32_t acc[4])
{
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    const int8_t *in_row = w->input + ic;
    const int8_t *f_row = w->filter + oc;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        int32_t kx;
        for (kx = w->kx0; kx < w->kx1; ++kx) {
            const int32_t x = (int32_t)*in + input_offset;
            const int32_t wv = te_read_s8x4(f);
            const int32_t w02 = __sxtb16(wv);
            const int32_t w13 = te_sxtb16_ror8(wv);
            a0 = __smlabb(x, w02, a0);
            a2 = __smlabt(x, w02, a2);
            a1 = __smlabb(x, w13, a1);
            a3 = __smlabt(x, w13, a3);
            in += w->input_col;
            f += out_channels;
        }
        in_row += w->input_row;
        f_row += filter_w * out_channels;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Eight output channels oc..oc+7 that read the same input channel ic (depth multiplier a multiple of
 * eight), doubled accumulators (te_requant2): per tap one input value, 2 * (x + offset) as an int16,
 * against the eight weights sign-extended in pairs (bytes 0, 2 and 1, 3 of each word). */
TE_NOINLINE static void te_dw_eight_outputs(const te_dw_window *w, int32_t filter_w, int32_t out_channels,
                                            int32_t input_offset, int32_t ic, int32_t oc, int32_t acc[8])
{
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    const int32_t off2 = 2 * input_offset;
    const int8_t *in_row = w->input + ic;
    const int8_t *f_row = w->filter + oc;
    const int32_t f_step = filter_w * out_channels;
    const int32_t f_span = (w->kx1 - w->kx0) * out_channels;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        const int8_t *end = f + f_span;
        while (f != end) {
            const int32_t x = off2 + 2 * (int32_t)*in;
            const int32_t v0 = te_read_s8x4(f);
            const int32_t v1 = te_read_s8x4(f + 4);
            const int32_t e0 = __sxtb16(v0);
            const int32_t o0 = te_sxtb16_ror8(v0);
            const int32_t e1 = __sxtb16(v1);
            const int32_t o1 = te_sxtb16_ror8(v1);
            a0 = __smlabb(x, e0, a0);
            a2 = __smlabt(x, e0, a2);
            a1 = __smlabb(x, o0, a1);
            a3 = __smlabt(x, o0, a3);
            a4 = __smlabb(x, e1, a4);
            a6 = __smlabt(x, e1, a6);
            a5 = __smlabb(x, o1, a5);
            a7 = __smlabt(x, o1, a7);
            in += w->input_col;
            f += out_channels;
        }
        in_row += w->input_row;
        f_row += f_step;
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
    acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
}

/* Whether every output channel takes te_requant2 (|bias| < 2^29: with the taps, |acc| < 2^30). */
static int te_dw_requant2_all(const te_per_channel_quant *quant, const int32_t *bias, int32_t channels)
{
    int32_t c;
    for (c = 0; c < channels; ++c) {
        const int32_t b = bias != NULL ? bias[c] : 0;
        if (!te_requant2_applies(quant->multiplier[c], quant->shift[c]) || b >= (1 << 29) || b <= -(1 << 29)) {
            return 0;
        }
    }
    return 1;
}

/* Eight doubled accumulators of output channels oc..oc+7 requantized into out[oc..oc+7]. */
static void te_dw_store_eight(const int32_t acc[8], const te_per_channel_quant *quant, int32_t oc,
                              int32_t output_offset, int32_t lo2, int32_t hi2, int clamp, int8_t *out)
{
    int32_t j;
    for (j = 0; j < 8; j += 2) {
        const int32_t s0 = quant->shift[oc + j];
        const int32_t s1 = quant->shift[oc + j + 1];
        const int32_t v0 = te_requant2(acc[j], quant->multiplier[oc + j], te_requant2_round(s0, output_offset), -s0);
        const int32_t v1 =
            te_requant2(acc[j + 1], quant->multiplier[oc + j + 1], te_requant2_round(s1, output_offset), -s1);
        te_store_s8x2(out + oc + j, v0, v1, lo2, hi2, clamp);
    }
}

/* Requantization of eight output channels 0..7, set once per call (te_requant2). */
typedef struct {
    int32_t bias2[8];
    int32_t multiplier[8];
    int32_t round[8];
    int32_t exponent[8];
} te_dw_eight_rq;

static void te_dw_eight_rq_set(te_dw_eight_rq *rq, const te_per_channel_quant *quant, const int32_t *bias,
                               int32_t output_offset)
{
    int32_t j;
    for (j = 0; j < 8; ++j) {
        rq->bias2[j] = bias != NULL ? 2 * bias[j] : 0;
        rq->multiplier[j] = quant->multiplier[j];
        rq->round[j] = te_requant2_round(quant->shift[j], output_offset);
        rq->exponent[j] = -quant->shift[j];
    }
}

/* Eight doubled accumulators requantized into out[0..7] with constants set by te_dw_eight_rq_set. */
static void te_dw_store_eight_rq(const int32_t acc[8], const te_dw_eight_rq *rq, int32_t lo2, int32_t hi2, int clamp,
                                 int8_t *out)
{
    int32_t j;
    for (j = 0; j < 8; j += 2) {
        te_store_s8x2(out + j, te_requant2(acc[j], rq->multiplier[j], rq->round[j], rq->exponent[j]),
                      te_requant2(acc[j + 1], rq->multiplier[j + 1], rq->round[j + 1], rq->exponent[j + 1]), lo2,
                      hi2, clamp);
    }
}

/* One input channel, eight outputs (depth multiplier 8): windows inside the input take horizontal tap
 * pairs against a table of doubled weights, (w(ky, 2p), w(ky, 2p + 1)) per output channel, kept on
 * the stack when it has at most TE_DW_PAIR_TABLE words. */
#define TE_DW_PAIR_TABLE 64

/* What te_dw_pairs4 reads (offsets used by its asm: keep the order). */
typedef struct {
    const int8_t *x;    /* 0: the window's first tap */
    const int32_t *tbl; /* 4: the half's table: per kernel row, per tap pair, four channels */
    int32_t rows_pairs; /* 8: kernel rows << 16 | tap pairs per row */
    int32_t row_adj;    /* 12: bytes from a row's last pair to the next row */
    int32_t off2;       /* 16: the input offset in both halves */
    int32_t *acc;       /* 20: four doubled accumulators, in and out */
} te_dw_pairs_ctx;

/*
 * Four doubled accumulators over a window (asm, fixed registers, r7 untouched): r1 the input, r2
 * the table, r3 rows left << 16 | pairs, r12 pairs left in the row, r4 r5 r6 r8 the accumulators,
 * r9 the offset pair, r10 the row step, r11 the input pair, lr r0 table words, the context on the
 * stack. Per tap pair: LDRH of the two inputs, ORR, SXTAB16 (offset added), two LDRD, four SMLAD: 11
 * instructions for 8 MACs; per row 5.
 */
TE_NOINLINE static void te_dw_pairs4(te_dw_pairs_ctx *ctx)
{
    register te_dw_pairs_ctx *r0 __asm__("r0") = ctx;
    __asm__ volatile(
        "push {r0}\n\t"
        "ldr r11, [r0, #20]\n\t"
        "ldm r11, {r4, r5, r6, r8}\n\t"
        "ldm r0, {r1, r2, r3, r10}\n\t"
        "ldr r9, [r0, #16]\n\t"
        "uxth r12, r3\n"
        "1:\n\t"
        "ldrh r11, [r1], #2\n\t"
        "orr r11, r11, r11, lsl #8\n\t"
        "sxtab16 r11, r9, r11\n\t"
        "ldrd lr, r0, [r2], #8\n\t"
        "smlad r4, r11, lr, r4\n\t"
        "smlad r5, r11, r0, r5\n\t"
        "ldrd lr, r0, [r2], #8\n\t"
        "smlad r6, r11, lr, r6\n\t"
        "smlad r8, r11, r0, r8\n\t"
        "subs r12, r12, #1\n\t"
        "bne 1b\n\t"
        "add r1, r1, r10\n\t"
        "uxth r12, r3\n\t"
        "sub r3, r3, #0x10000\n\t"
        "cmp r3, #0x10000\n\t"
        "bcs 1b\n\t"
        "pop {r0}\n\t"
        "ldr r0, [r0, #20]\n\t"
        "stm r0, {r4, r5, r6, r8}\n\t"
        : "+r"(r0)
        :
        : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
}

/* The pair table of a depth multiplier 8 on one input channel (kh x kw taps, np pairs per row):
 * half h (channels 4h..4h+3) at tbl + h * kh * np * 4. */
static void te_dw_pair_table(const int8_t *filter, int32_t kh, int32_t kw, int32_t np, int32_t *tbl)
{
    int32_t h, ky, p, j;
    for (h = 0; h < 2; ++h) {
        for (ky = 0; ky < kh; ++ky) {
            for (p = 0; p < np; ++p) {
                for (j = 0; j < 4; ++j) {
                    const int32_t c = 4 * h + j;
                    const int32_t w0 = filter[(ky * kw + 2 * p) * 8 + c];
                    const int32_t w1 = 2 * p + 1 < kw ? filter[(ky * kw + 2 * p + 1) * 8 + c] : 0;
                    *tbl++ = (int32_t)(((uint32_t)(2 * w0) & 0xFFFFu) | ((uint32_t)(2 * w1) << 16));
                }
            }
        }
    }
}
#endif

/* Output channel oc (input channel oc / multiplier) of one output pixel, bias included. */
TE_NOINLINE static int32_t te_dw_one_channel(const te_dw_window *w, const te_depthwise_params *params, int32_t filter_w,
                                 int32_t out_channels, int32_t oc, int32_t acc)
{
    const int8_t *in_row = w->input + oc / params->depth_multiplier;
    const int8_t *f_row = w->filter + oc;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        int32_t kx;
        for (kx = w->kx0; kx < w->kx1; ++kx) {
            acc += ((int32_t)*in + params->input_offset) * (int32_t)*f;
            in += w->input_col;
            f += out_channels;
        }
        in_row += w->input_row;
        f_row += filter_w * out_channels;
    }
    return acc;
}

/* The pair table and requantization constants of a depth multiplier 8 on one input channel (DSP). */
typedef struct te_dw_pairs_data te_dw_pairs_data;
#if defined(__ARM_FEATURE_DSP)
struct te_dw_pairs_data {
    int32_t table[TE_DW_PAIR_TABLE];
    te_dw_eight_rq rq;
};
#endif

#if defined(__ARM_FEATURE_DSP)
/* Whether windows inside the input take the tap-pair table (see te_dw_pairs4). */
static int te_dw_pairs_apply(const te_depthwise_params *params, const te_per_channel_quant *quant,
                             const te_dims *input_dims, const te_dims *filter_dims, const int32_t *bias,
                             int32_t out_channels)
{
    const int32_t np = (filter_dims->w + 1) / 2;
    return params->depth_multiplier == 8 && input_dims->c == 1 && params->dilation_h == 1 &&
           params->dilation_w == 1 && filter_dims->h * np * 8 <= TE_DW_PAIR_TABLE &&
           te_dw_requant2_all(quant, bias, out_channels);
}
#endif

/* Every output; pd: the pair table when te_dw_pairs_apply, else NULL. */
TE_NOINLINE_ONE_COPY static void te_dw_s8_run(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                              const te_dims *input_dims, const int8_t *input,
                                              const te_dims *filter_dims, const int8_t *filter, const int32_t *bias,
                                              const te_dims *output_dims, int8_t *output, const te_dw_pairs_data *pd)
{
    const int32_t out_channels = output_dims->c;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)input_dims->c;
    int32_t b;
#if defined(__ARM_FEATURE_DSP)
    const int eight = params->depth_multiplier % 8 == 0 && te_dw_requant2_all(quant, bias, out_channels);
    const int32_t lo2 = te_pack_s8x2(params->activation.min);
    const int32_t hi2 = te_pack_s8x2(params->activation.max);
    const int clamp = params->activation.min != -128 || params->activation.max != 127;
    const int32_t np = (filter_dims->w + 1) / 2;
    const int32_t *table = pd != NULL ? pd->table : NULL;
#else
    (void)pd;
#endif
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t y0 = oy * params->stride_h - params->pad_top;
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t x0 = ox * params->stride_w - params->pad_left;
                te_dw_window w;
                int32_t oc = 0;
#if defined(__ARM_FEATURE_DSP)
                if (pd != NULL && y0 >= 0 && y0 + filter_dims->h <= input_dims->h && x0 >= 0 &&
                    x0 + 2 * np <= input_dims->w) {
                    int32_t acc[8];
                    te_dw_pairs_ctx ctx;
                    ctx.x = image + y0 * input_dims->w + x0;
                    ctx.rows_pairs = (filter_dims->h << 16) | np;
                    ctx.row_adj = input_dims->w - 2 * np;
                    ctx.off2 = te_pack_s16x2(params->input_offset);
                    ctx.tbl = table;
                    ctx.acc = acc;
                    acc[0] = pd->rq.bias2[0], acc[1] = pd->rq.bias2[1], acc[2] = pd->rq.bias2[2], acc[3] = pd->rq.bias2[3];
                    te_dw_pairs4(&ctx);
                    ctx.tbl = table + filter_dims->h * np * 4;
                    ctx.acc = acc + 4;
                    acc[4] = pd->rq.bias2[4], acc[5] = pd->rq.bias2[5], acc[6] = pd->rq.bias2[6], acc[7] = pd->rq.bias2[7];
                    te_dw_pairs4(&ctx);
                    te_dw_store_eight_rq(acc, &pd->rq, lo2, hi2, clamp, output);
                    output += out_channels;
                    continue;
                }
#endif
                w = te_dw_window_at(params, input_dims, image, filter_dims, filter, y0, x0);
#if defined(__ARM_FEATURE_DSP)
                if (params->depth_multiplier == 1) {
                    for (; oc + 4 <= out_channels; oc += 4) {
                        int32_t acc[4];
                        int32_t k;
                        for (k = 0; k < 4; ++k) {
                            acc[k] = bias != NULL ? bias[oc + k] : 0;
                        }
                        te_dw_four_channels(&w, filter_dims->w, out_channels, params->input_offset, oc, acc);
                        for (k = 0; k < 4; ++k) {
                            output[oc + k] = te_requantize_s8(acc[k], quant->multiplier[oc + k], quant->shift[oc + k],
                                                              params->output_offset, params->activation);
                        }
                    }
                } else if (eight) {
                    for (; oc < out_channels; oc += 8) {
                        int32_t acc[8];
                        int32_t k;
                        for (k = 0; k < 8; ++k) {
                            acc[k] = bias != NULL ? 2 * bias[oc + k] : 0;
                        }
                        te_dw_eight_outputs(&w, filter_dims->w, out_channels, params->input_offset,
                                            oc / params->depth_multiplier, oc, acc);
                        te_dw_store_eight(acc, quant, oc, params->output_offset, lo2, hi2, clamp, output);
                    }
                } else if (params->depth_multiplier % 4 == 0) {
                    for (; oc < out_channels; oc += 4) {
                        int32_t acc[4];
                        int32_t k;
                        for (k = 0; k < 4; ++k) {
                            acc[k] = bias != NULL ? bias[oc + k] : 0;
                        }
                        te_dw_four_outputs(&w, filter_dims->w, out_channels, params->input_offset,
                                           oc / params->depth_multiplier, oc, acc);
                        for (k = 0; k < 4; ++k) {
                            output[oc + k] = te_requantize_s8(acc[k], quant->multiplier[oc + k], quant->shift[oc + k],
                                                              params->output_offset, params->activation);
                        }
                    }
                }
#endif
                for (; oc < out_channels; ++oc) {
                    const int32_t acc =
                        te_dw_one_channel(&w, params, filter_dims->w, out_channels, oc, bias != NULL ? bias[oc] : 0);
                    output[oc] = te_requantize_s8(acc, quant->multiplier[oc], quant->shift[oc], params->output_offset,
                                                  params->activation);
                }
                output += out_channels;
            }
        }
    }
}

#if defined(__ARM_FEATURE_DSP)
/* The pair table's frame, only when it is used (person_detect-like first layers). */
TE_NOINLINE static void te_dw_s8_pairs(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                       const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                                       const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                       int8_t *output)
{
    te_dw_pairs_data pd;
    te_dw_pair_table(filter, filter_dims->h, filter_dims->w, (filter_dims->w + 1) / 2, pd.table);
    te_dw_eight_rq_set(&pd.rq, quant, bias, params->output_offset);
    te_dw_s8_run(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output, &pd);
}
#endif

te_status te_depthwise_conv_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                               const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                               const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                               int8_t *output)
{
    const int32_t out_channels = output_dims->c;
    if (params->depth_multiplier < 1 || out_channels != input_dims->c * params->depth_multiplier ||
        filter_dims->c != out_channels || output_dims->n != input_dims->n || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
#if defined(__ARM_FEATURE_DSP)
    if (te_dw_pairs_apply(params, quant, input_dims, filter_dims, bias, out_channels)) {
        te_dw_s8_pairs(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
        return TE_OK;
    }
#endif
    te_dw_s8_run(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output, NULL);
    return TE_OK;
}
