/*
 * In-place int8 DEPTHWISE_CONV_2D (depth multiplier 1, batch 1), TinyEngine's memory trick.
 *
 * Channel by channel: copy input channel c (in_h * in_w bytes, strided by C) into scratch, then
 * write output channel c over the buffer. Output (y, x, c) sits at ((y * out_w + x) * C + c), a
 * byte of input channel c (out_h * out_w <= in_h * in_w), already saved in scratch; channels not
 * yet processed are never touched.
 *
 * Square 3x3, 5x5 and 7x7 kernels without dilation (the MCUNet search space) go through a padded
 * plane ((out_h - 1) * stride_h + k rows, likewise columns) whose border holds the input zero point
 * (written once per call; each channel only refills the interior), so that every window lies inside
 * the plane and the input offset folds into the bias (sum((x + off) * w) = sum(x * w) + off * sum(w),
 * exact in int32; a padding tap contributes (zp + off) * w = 0 either way). On the DSP path, strides
 * 1 and 2 run an inline-asm multiply pass per kernel size and stride (two adjacent outputs per step,
 * weights as doubled int16 pairs) into a stack run of accumulators, then te_requant2's requantization
 * pass; channels whose quantization falls outside te_requant2's range take the plain loop. 3x3
 * kernels with the whole int8 activation range (or, stride 1, [min, 127] with min < 0) take two output
 * rows per step instead, requantized and stored in the same asm loop (te_dw_k3s1_rows2,
 * te_dw_k3s2_rows2, te_dw_k3s1_rows2_min). 3x3 stride 2 on maps at least TE_DW_S2_MIN_OW outputs
 * wide copies no whole plane: only the first and last output rows come from plane copies of their
 * input rows, the others read the HWC buffer directly (te_dw_s2_direct, te_dw_k3s2_direct). Tiny
 * maps skip the scratch, one channel at a time in
 * registers (te_dw_map3_channel): 3x3 -> 3x3 and 3x3 -> 2x2 (stride 2) under a 3x3 kernel, 2x2 -> 2x2
 * under 3x3, 5x5 or 7x7.
 * Other kernels: on the DSP path (dilation_w 1, up to TE_DW_INPLACE_MAX_TAPS taps) two horizontal
 * taps go through one SXTAB16 + SMLAD; otherwise one multiply-accumulate per tap.
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

#define TE_DW_INPLACE_MAX_TAPS 128

/* Set-up and rare paths compiled for size (per layer, channel or row pair; the hot loops are asm). */
#if defined(__GNUC__) && !defined(__clang__)
#define TE_DW_SMALL __attribute__((noinline, noclone, optimize("Os")))
#else
#define TE_DW_SMALL TE_NOINLINE
#endif

/* te_requantize_s8 in one out-of-line copy for the kernel's general (rare) requantizations. */
TE_NOINLINE_ONE_COPY static int8_t te_dw_requantize(int32_t acc, int32_t multiplier, int32_t shift,
                                                     int32_t output_offset, te_activation activation)
{
    return te_requantize_s8(acc, multiplier, shift, output_offset, activation);
}

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
 * path does not dominate; under stride 2 up to TE_DW_GROUP_S2_BYTES (10x10 maps: a few outputs per
 * channel, and the group path skips the padding taps; 6x6x120 k7 s2: 201.8 -> 126.1 instructions
 * per output, 5x5x240 k5 s2: 130.4 -> 82.2; 10x10x144 k7 s2 144.1 -> 133.1, 9x9x96 k3 s2 60.2 ->
 * 48.8; 12x12 maps lose: 12x12x80 k7 s2 116.0 -> 137.8). */
#define TE_DW_GROUP_BYTES 64
#define TE_DW_GROUP_S2_BYTES 400
/* The group path's scratch also holds output pixel windows (te_dw_win, 8 bytes each): every pixel's
 * when the map has at most TE_DW_GROUP_WINS output pixels (computed once per call), else room for a
 * run's (recomputed per run). */
#define TE_DW_GROUP_WINS 36
#define TE_DW_GROUP_RUN 9
static size_t te_dw_group_windows(const te_dims *output_dims)
{
    const size_t total = (size_t)output_dims->h * (size_t)output_dims->w;
    return total <= TE_DW_GROUP_WINS ? total : TE_DW_GROUP_RUN;
}
static int te_dw_group_path(const te_depthwise_params *params, const te_dims *input_dims,
                            const te_dims *filter_dims, const te_dims *output_dims)
{
    const size_t group = 4 * (size_t)input_dims->h * (size_t)input_dims->w;
    return te_dw_padded_path(params, filter_dims) &&
           (group <= TE_DW_GROUP_BYTES || group <= te_dw_plane_bytes(params, filter_dims, output_dims) ||
            (params->stride_h == 2 && params->stride_w == 2 && group <= TE_DW_GROUP_S2_BYTES));
}

/*
 * Stride 2 x 2, 3x3 kernel, maps of at least TE_DW_S2_MIN_OW output columns: no copy of the whole
 * channel. Output (y, x) of channel c overwrites the byte of input pixel y * ow + x (raster index),
 * channel c, while the outputs of row y read input rows from 2y - pad_top on: the writes fall behind
 * the reads. Output rows go in pairs (y, y + 1), two columns per step, every window read before its
 * step's four outputs are stored. Bound: a pair starting at row y may read the buffer when
 *     W(y):  (y + 2) * ow <= (2y - pad_top) * in_w - pad_left.
 * Proof: every byte the pair reads is an input pixel of raster index >= (2y - pad_top) * in_w -
 * pad_left (its first window row from its first column; the left pad reads the row above's last
 * bytes); every output stored before the pair's last store belongs to a row < y + 2, raster index
 * < (y + 2) * ow: below all of them, so each read finds its input. The right side grows by
 * 2 * in_w - ow > 0 per row more than the left (in_w >= 2 * ow - 1), so W holds for every later pair
 * once it holds for one, and a later pair reads only higher indices. Hence ytop = the first y >= 1
 * with W(y), i.e. y * (2 * in_w - ow) >= 2 * ow + pad_top * in_w + pad_left (and 2y - pad_top >= 1
 * under left padding: no pad byte before the buffer). Output rows [0, ytop) come from a padded copy of
 * their input rows (the top plane, copied before any store), rows [ytop, ybot) read the buffer
 * directly (bytes C apart), rows [ybot, oh), whose windows reach the bottom padding or, under right
 * padding, the last input row (the right pad bytes are those of the row below), from a padded copy of
 * their input rows (the bottom plane; those rows lie past every output byte: copied with the top).
 * The middle's pad columns (the neighbour rows' bytes) are read as they are; the first / last step
 * of a pair runs with its accumulator starts corrected for them (te_dw_s2_pad_fix). Scratch: the two
 * planes, ((2 (ytop - 1) + 3) + (2 (oh - 1 - ybot) + 3 or 0)) x ((ow - 1) * 2 + 3) bytes; 48x48 -> 24x24:
 * 6 x 49 (the whole padded plane: 49 x 49).
 */
#define TE_DW_S2_MIN_OW 12
typedef struct {
    int32_t ytop; /* output rows [0, ytop) from the top plane */
    int32_t ybot; /* [ytop, ybot) from the buffer, [ybot, oh) from the bottom plane */
    int32_t ptop; /* plane rows: top, bottom */
    int32_t pbot;
    int32_t pw;   /* plane width */
    int32_t pr;   /* right padding (pw - pad_left - in_w) */
} te_dw_s2_geom;

TE_DW_SMALL static int te_dw_s2_direct(const te_depthwise_params *params, const te_dims *input_dims,
                                       const te_dims *filter_dims, const te_dims *output_dims, te_dw_s2_geom *g)
{
    const int32_t k = filter_dims->w;
    const int32_t in_w = input_dims->w;
    const int32_t ow = output_dims->w;
    const int32_t pt = params->pad_top;
    const int32_t pl = params->pad_left;
    const int32_t need = 2 * ow + pt * in_w + pl; /* W(y): y * (2 in_w - ow) >= need */
    int32_t last;
    if (k != 3 || !te_dw_padded_path(params, filter_dims) || params->stride_h != 2 || params->stride_w != 2 ||
        ow < TE_DW_S2_MIN_OW || pl > 1) {
        return 0;
    }
    g->pw = (ow - 1) * 2 + k;
    g->pr = g->pw - pl - in_w;
    g->ytop = (need + 2 * in_w - ow - 1) / (2 * in_w - ow);
    if (g->ytop < (pl > 0 ? (pt + 2) / 2 : 1)) { /* 2y - pt >= 1 under left padding, y >= 1 */
        g->ytop = pl > 0 ? (pt + 2) / 2 : 1;
    }
    /* the last window row 2y - pt + k - 1 at most in_h - 1, or in_h - 2 under right padding */
    last = input_dims->h - 1 - (g->pr > 0) + pt - k + 1;
    g->ybot = last < 0 ? 0 : last / 2 + 1;
    g->ybot = g->ybot > output_dims->h ? output_dims->h : g->ybot;
    g->ptop = 2 * (g->ytop - 1) + k;
    g->pbot = g->ybot < output_dims->h ? 2 * (output_dims->h - 1 - g->ybot) + k : 0;
    return g->ybot - g->ytop >= 2 && g->pr <= 1;
}

size_t te_depthwise_conv_inplace_s8_scratch_bytes(const te_depthwise_params *params, const te_dims *input_dims,
                                                  const te_dims *filter_dims, const te_dims *output_dims)
{
    te_dw_s2_geom g;
    if (te_dw_group_path(params, input_dims, filter_dims, output_dims)) {
        return 4 * (size_t)input_dims->h * (size_t)input_dims->w + 8 * te_dw_group_windows(output_dims);
    }
    if (te_dw_s2_direct(params, input_dims, filter_dims, output_dims, &g)) {
        return (size_t)(g.ptop + g.pbot) * (size_t)g.pw;
    }
    if (te_dw_padded_path(params, filter_dims)) {
        return te_dw_plane_bytes(params, filter_dims, output_dims);
    }
    return (size_t)input_dims->h * (size_t)input_dims->w;
}

/* Accumulators of channels c..c+n-1 (n <= 4) of one output pixel; group holds their input, H x W x 4
 * (the plain loop: portable path, a last group of fewer than four channels, out-of-range quantization). */
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

#if defined(__ARM_FEATURE_DSP)
/* Requantization of four channels (te_requant2, or te_requantize_s8) and their taps for te_dw_group4. */
typedef struct {
    int32_t bias[4];
    int32_t multiplier[4];
    int32_t round[4];
    int32_t exponent[4];
    int32_t w[2 * 49]; /* per tap: the four channels' weights as (c0, c2), (c1, c3) int16 pairs */
    int generic;       /* te_requantize_s8, exponent[] holding the shifts */
} te_dw_group4_q;

/* Four channels c..c+3 into q: te_requant2 when each allows it (|bias| < 2^29: with the taps,
 * |acc| < 2^30), else te_requantize_s8 (q->generic). */
static void te_dw_group4_setup(const te_depthwise_params *params, const te_per_channel_quant *quant,
                               const int8_t *filter, const int32_t *bias, int32_t c, int32_t channels, int32_t taps,
                               te_dw_group4_q *q)
{
    int32_t j;
    q->generic = 0;
    for (j = 0; j < 4; ++j) {
        const int32_t b = bias != NULL ? bias[c + j] : 0;
        q->bias[j] = b;
        q->multiplier[j] = quant->multiplier[c + j];
        q->exponent[j] = quant->shift[c + j]; /* the shift until known to be te_requant2's */
        if (!te_requant2_applies(quant->multiplier[c + j], quant->shift[c + j]) || b >= (1 << 29) ||
            b <= -(1 << 29)) {
            q->generic = 1;
        }
    }
    for (j = 0; j < 4 && !q->generic; ++j) {
        q->round[j] = te_requant2_round(q->exponent[j], params->output_offset);
        q->exponent[j] = -q->exponent[j];
    }
    for (j = 0; j < taps; ++j) {
        const int32_t wv = te_read_s8x4(filter + j * channels + c);
        q->w[2 * j] = __sxtb16(wv);
        q->w[2 * j + 1] = te_sxtb16_ror8(wv);
    }
}

/* One output pixel's window in a group copy: byte offsets of its first tap in the copy (x) and in
 * the weight pairs (w); taps inside the input: rows x n; bytes from a row's end to the next row's
 * start in the copy and in the weight pairs. Two words, read by te_dw_group4_macs. */
typedef struct {
    uint16_t x;
    uint16_t w;
    uint8_t rows;
    uint8_t n;
    uint8_t x_step;
    uint8_t w_step;
} te_dw_win;

/* What te_dw_group4_macs reads (offsets used by its asm: keep the order). */
typedef struct {
    const te_dw_win *win; /* 0 */
    const te_dw_win *end; /* 4 */
    const int8_t *group;  /* 8 */
    const int32_t *w;     /* 12 */
    int32_t off2;         /* 16 */
    const int32_t *bias;  /* 20 */
    int32_t *acc;         /* 24: four accumulators per pixel, advanced */
} te_dw_group4_ctx;

/*
 * The accumulators of every pixel from ctx->win to ctx->end (asm, fixed registers, r7 untouched):
 * r0 the window, r1 the input word, r2 the weight pairs, r3 rows left, r12 taps left in the row,
 * r4 r5 r6 r8 the accumulators of channels 0 1 2 3, r9 the offset pair, r10 r11 lr scratch, the
 * context on the stack. Per tap: the four inputs' word, SXTAB16 (bytes 0, 2 and, with ROR 8, 1, 3,
 * plus the offset), two weight-pair words, four SMLAxy: 11 instructions for 4 MACs; per row 7, per
 * pixel 18.
 */
TE_NOINLINE static void te_dw_group4_macs(te_dw_group4_ctx *ctx)
{
    register te_dw_group4_ctx *r11 __asm__("r11") = ctx;
    __asm__ volatile(
        "push {r11}\n\t"
        "ldr r0, [r11]\n\t"
        "ldr r9, [r11, #16]\n"
        "2:\n\t" /* pixel */
        "ldr r10, [r11, #20]\n\t"
        "ldm r10, {r4, r5, r6, r8}\n\t"
        "ldr r10, [r0]\n\t"
        "ldr r1, [r11, #8]\n\t"
        "uxtah r1, r1, r10\n\t"
        "ldr r2, [r11, #12]\n\t"
        "add r2, r2, r10, lsr #16\n\t"
        "ldr r10, [r0, #4]\n\t"
        "uxtb r3, r10\n\t"
        "ubfx r12, r10, #8, #8\n"
        "1:\n\t" /* tap */
        "ldr r10, [r1], #4\n\t"
        "sxtab16 r11, r9, r10\n\t"
        "sxtab16 r10, r9, r10, ror #8\n\t"
        "ldr lr, [r2], #4\n\t"
        "smlabb r4, r11, lr, r4\n\t"
        "smlatt r6, r11, lr, r6\n\t"
        "ldr lr, [r2], #4\n\t"
        "smlabb r5, r10, lr, r5\n\t"
        "smlatt r8, r10, lr, r8\n\t"
        "subs r12, r12, #1\n\t"
        "bne 1b\n\t"
        "ldr r10, [r0, #4]\n\t" /* next row */
        "ubfx r11, r10, #16, #8\n\t"
        "add r1, r1, r11\n\t"
        "add r2, r2, r10, lsr #24\n\t"
        "ubfx r12, r10, #8, #8\n\t"
        "subs r3, r3, #1\n\t"
        "bne 1b\n\t"
        "ldr r11, [sp]\n\t" /* next pixel */
        "ldr r10, [r11, #24]\n\t"
        "stm r10!, {r4, r5, r6, r8}\n\t"
        "str r10, [r11, #24]\n\t"
        "add r0, r0, #8\n\t"
        "ldr r10, [r11, #4]\n\t"
        "cmp r0, r10\n\t"
        "bne 2b\n\t"
        "add sp, sp, #4\n\t"
        : "+r"(r11)
        :
        : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r12", "lr", "cc", "memory");
}

/* The windows of output pixels p0 .. p0 + np - 1 (kernel k, no dilation) into win. */
static void te_dw_group4_windows(const te_depthwise_params *params, const te_dims *input_dims, int32_t k, int32_t ow,
                                 int32_t p0, int32_t np, te_dw_win *win)
{
    int32_t oy = p0 / ow;
    int32_t ox = p0 - oy * ow;
    int32_t i;
    for (i = 0; i < np; ++i) {
        const int32_t y0 = oy * params->stride_h - params->pad_top;
        const int32_t x0 = ox * params->stride_w - params->pad_left;
        const int32_t ky0 = y0 < 0 ? -y0 : 0;
        const int32_t kx0 = x0 < 0 ? -x0 : 0;
        const int32_t n = (input_dims->w - x0 < k ? input_dims->w - x0 : k) - kx0;
        win[i].x = (uint16_t)(4 * ((y0 + ky0) * input_dims->w + x0 + kx0));
        win[i].w = (uint16_t)(8 * (ky0 * k + kx0));
        win[i].rows = (uint8_t)((input_dims->h - y0 < k ? input_dims->h - y0 : k) - ky0);
        win[i].n = (uint8_t)n;
        win[i].x_step = (uint8_t)(4 * (input_dims->w - n));
        win[i].w_step = (uint8_t)(8 * (k - n));
        if (++ox == ow) {
            ox = 0;
            ++oy;
        }
    }
}

/*
 * Every output pixel of four channels from their H x W x 4 copy (square kernel k, no dilation), in
 * runs of TE_DW_GROUP_RUN pixels (win, in the scratch after the copy: every pixel's window when the
 * map has at most TE_DW_GROUP_WINS output pixels, else a run's, recomputed per run):
 * te_dw_group4_macs over the taps inside the input, then per channel te_requant2 (or
 * te_requantize_s8) over the run.
 */
static void te_dw_group4(const te_depthwise_params *params, const te_dims *input_dims, int32_t k,
                         const te_dims *output_dims, const int8_t *group, const te_dw_group4_q *q, te_dw_win *win,
                         int8_t *out, int32_t channels)
{
    const int32_t ow = output_dims->w;
    const int32_t total = output_dims->h * ow;
    const te_activation act = params->activation;
    const int full = act.min == -128 && act.max == 127;
    int32_t acc[4 * TE_DW_GROUP_RUN];
    te_dw_group4_ctx ctx;
    int32_t p0;
    ctx.group = group;
    ctx.w = q->w;
    ctx.off2 = te_pack_s16x2(params->input_offset);
    ctx.bias = q->bias;
    for (p0 = 0; p0 < total; p0 += TE_DW_GROUP_RUN) {
        const int32_t np = total - p0 < TE_DW_GROUP_RUN ? total - p0 : TE_DW_GROUP_RUN;
        int32_t j;
        const te_dw_win *w = win + p0;
        if (total > TE_DW_GROUP_WINS) {
            te_dw_group4_windows(params, input_dims, k, ow, p0, np, win);
            w = win;
        }
        ctx.win = w;
        ctx.end = w + np;
        ctx.acc = acc;
        te_dw_group4_macs(&ctx);
        for (j = 0; j < 4; ++j) {
            const int32_t m = q->multiplier[j];
            const int32_t rnd = q->round[j];
            const int32_t e = q->exponent[j];
            const int32_t *a = acc + j;
            const int32_t *a_end = a + 4 * np;
            int8_t *o = out + p0 * channels + j;
            if (q->generic) {
                for (; a != a_end; a += 4, o += channels) {
                    *o = te_requantize_s8(*a, m, e, params->output_offset, act);
                }
            } else if (full) {
                for (; a != a_end; a += 4, o += channels) {
                    *o = (int8_t)__ssat(te_requant2(2 * *a, m, rnd, e), 8);
                }
            } else {
                for (; a != a_end; a += 4, o += channels) {
                    const int32_t v = te_requant2(2 * *a, m, rnd, e);
                    *o = (int8_t)(v < act.min ? act.min : (v > act.max ? act.max : v));
                }
            }
        }
    }
}
#endif

#if defined(__ARM_FEATURE_DSP)
/*
 * Tiny maps with a 3x3 kernel, pad 1 (TFLite SAME), no scratch: 3x3 -> 3x3 (stride 1), 3x3 -> 2x2
 * (stride 2), 2x2 -> 2x2 (stride 1); one channel per call of te_dw_map3_channel, every input byte
 * read into registers before any output byte is written. Kernel row j as the int16 pairs
 * A_j = (w_j1, w_j2), B_j = (w_j0, w_j1); map row i as the doubled (x + offset) pairs
 * P_i = (v_i0, v_i1), Q_i = (v_i1, v_i2). Output (y, x) of a 3x3 map sums, over the map rows i inside
 * its window (kernel row j = i - y + 1): x = 0: P_i.A_j; x = 1: P_i.B_j + v_i2 w_j2 (the top halves
 * of Q_i and A_j, SMLATT); x = 2: Q_i.B_j. Stride 2's outputs are the corners of that 3x3 result and
 * a 2x2 map's those of a 3x3 map with a zero third row and column: two SMLADs each, only those four
 * (TE_DW_MAP3_DOTS: 2x2x672 34.6 instructions per output, was 44.8 through the nine; 3x3x336 s2
 * 40.4, was 48.9). Then te_requant2 + SSAT, STRB.
 */
#define TE_DW_MAP3_S1 0 /* 3x3 -> 3x3 */
#define TE_DW_MAP3_S2 1 /* 3x3 -> 2x2, stride 2 */
#define TE_DW_MAP2_S1 2 /* 2x2 -> 2x2 */

/* te_requant2 + SSAT of the accumulator in register R (r8 multiplier, r9 round, r10 exponent). */
#define TE_DW_MAP3_Q(R)                                                                                      \
    "add r11, r9, " R ", asr #31\n\t"                                                                       \
    "smmlar " R ", " R ", r8, r11\n\t"                                                                      \
    "asr " R ", " R ", r10\n\t"                                                                             \
    "ssat " R ", #8, " R "\n\t"
/* Four accumulators (r2 r4 r5 r6) to bytes r0, r0 + C, r0 + 2C, r0 + 3C; r0 advances by 4C. */
#define TE_DW_MAP3_REQUANT4                                                                                  \
    TE_DW_MAP3_Q("r2") TE_DW_MAP3_Q("r4") TE_DW_MAP3_Q("r5") TE_DW_MAP3_Q("r6")                               \
    "strb r2, [r0]\n\t"                                                                                     \
    "strb r4, [r0, r1]\n\t"                                                                                 \
    "add r0, r0, r1, lsl #1\n\t"                                                                            \
    "strb r5, [r0]\n\t"                                                                                     \
    "strb r6, [r0, r1]\n\t"                                                                                 \
    "add r0, r0, r1, lsl #1\n\t"

/* One output column of a 3x3 map (rows 0, 1, 2) from the map rows' pairs X0 X1 X2 and the kernel
 * rows' pairs in r4 r5 r6: row 0 = X0.W1 + X1.W2, row 1 = X0.W0 + X1.W1 + X2.W2, row 2 = X1.W0 + X2.W1
 * (OP: SMLAD, or SMLATT for the top halves), each started from S0 / S1 / S2 and stored at sp + O. */
#define TE_DW_MAP3_COLUMN(OP, X0, X1, X2, S0, S1, S2, O0, O1, O2)                                            \
    "ldr r2, " S0 "\n\t" OP " r2, " X0 ", r5, r2\n\t" OP " r2, " X1 ", r6, r2\n\t"                              \
    "str r2, [sp, " O0 "]\n\t"                                                                               \
    "ldr r2, " S1 "\n\t" OP " r2, " X0 ", r4, r2\n\t" OP " r2, " X1 ", r5, r2\n\t" OP " r2, " X2 ", r6, r2\n\t"   \
    "str r2, [sp, " O1 "]\n\t"                                                                               \
    "ldr r2, " S2 "\n\t" OP " r2, " X1 ", r4, r2\n\t" OP " r2, " X2 ", r5, r2\n\t"                              \
    "str r2, [sp, " O2 "]\n\t"
/* The four outputs of a 2x2 result (2x2 maps, 3x3 -> 2x2 stride 2) as two SMLADs each from acc2:
 * X1.A1 + Y1.A2 at sp + O1, X2.A0 + Y2.A1 at sp + O2, X3.B1 + Y3.B2 at sp + O3, X4.B0 + Y4.B1 at
 * sp + O4 (kernel pairs A0 A1 A2 B0 B1 B2 at sp); then to the requantization (label 11). */
#define TE_DW_MAP3_DOT(X, WX, Y, WY, O)                                                                    \
    "smlad r6, " X ", " WX ", r2\n\t" "smlad r6, " Y ", " WY ", r6\n\t" "str r6, [sp, " O "]\n\t"
#define TE_DW_MAP3_DOTS(X1, Y1, X2, Y2, X3, Y3, X4, Y4, O1, O2, O3, O4)                                     \
    "ldr r2, [r3]\n\t"                                                                                     \
    "ldrd r4, r5, [sp, #4]\n\t" TE_DW_MAP3_DOT(X1, "r4", Y1, "r5", O1)                                      \
    "ldr r5, [sp]\n\t" TE_DW_MAP3_DOT(X2, "r5", Y2, "r4", O2)                                               \
    "ldrd r4, r5, [sp, #16]\n\t" TE_DW_MAP3_DOT(X3, "r4", Y3, "r5", O3)                                     \
    "ldr r5, [sp, #12]\n\t" TE_DW_MAP3_DOT(X4, "r5", Y4, "r4", O4) "b 11f\n\t"
/* Map row bytes r4 r5 r6 as doubled (x + offset) (lr: 2 * offset) into the pairs P = (v0, v1),
 * Q = (v1, v2). */
#define TE_DW_MAP3_PAIRS(P, Q)                                                                               \
    "add r4, lr, r4, lsl #1\n\t"                                                                            \
    "add r5, lr, r5, lsl #1\n\t"                                                                            \
    "add r6, lr, r6, lsl #1\n\t"                                                                            \
    "pkhbt " P ", r4, r5, lsl #16\n\t"                                                                      \
    "pkhbt " Q ", r5, r6, lsl #16\n\t"

/* One kernel row (taps r2, r2 + C, r2 + 2C) as B = (w0, w1), A = (w1, w2); NEXT moves r2 on. */
#define TE_DW_MAP3_WROW(B, A, NEXT)                                                                          \
    "ldrsb r4, [r2]\n\t"                                                                                    \
    "ldrsb r5, [r2, r1]\n\t"                                                                                \
    "add r2, r2, r1, lsl #1\n\t"                                                                            \
    "ldrsb r6, [r2]\n\t" NEXT "pkhbt " B ", r4, r5, lsl #16\n\t"                                           \
    "pkhbt " A ", r5, r6, lsl #16\n\t"
/* blk: acc2 (doubled bias), 2 * input offset, multiplier, round, exponent (te_requant2), the shape
 * (TE_DW_MAP3_S1, TE_DW_MAP3_S2, TE_DW_MAP2_S1), (k - 2) * channels, and 0 or where to leave the
 * nine accumulators of the 3x3 result unrequantized (then nothing is written to the map); f: the 3x3 taps' first
 * (a 2x2 map under a k x k kernel with pad (k - 1) / 2 sees only the kernel's central 3x3). Registers:
 * r0 the channel's first byte, r1 channels, r2 filter then scratch, r3 blk, r4-r6 three weights or
 * bytes, r8-r12 lr the weight pairs (A0 A1 A2 B0 B1 B2, then pushed) and the input pairs (P0 Q0 P1
 * Q1 P2 Q2); the nine doubled accumulators in a stack block, requantized four at a time (r8 m,
 * r9 round, r10 exponent); blk[8]: 128 + min (four-output shapes, [min, 127] with min < 0: the round
 * folds -min - 128, QADD8 after the SSAT restores it, saturating at 127) or 0. 3x3 -> 3x3: 157
 * instructions per channel (81 MACs of the padded count). */
TE_NOINLINE static void te_dw_map3_channel(int8_t *b, int32_t channels, const int8_t *f, const int32_t *blk)
{
    register int8_t *r0 __asm__("r0") = b;
    register int32_t r1 __asm__("r1") = channels;
    register const int8_t *r2 __asm__("r2") = f;
    register const int32_t *r3 __asm__("r3") = blk;
    __asm__ volatile(
        "sub sp, sp, #36\n\t" /* o0..o8 */
        "ldr lr, [r3, #24]\n\t" /* (k - 2) * channels: a kernel row's end to the next row */
        TE_DW_MAP3_WROW("r11", "r8", "add r2, r2, lr\n\t") /* kernel row 0 */
        TE_DW_MAP3_WROW("r12", "r9", "add r2, r2, lr\n\t") /* kernel row 1 */
        TE_DW_MAP3_WROW("lr", "r10", "")                      /* kernel row 2 */
        "push {r8, r9, r10, r11, r12, lr}\n\t" /* [sp]: A0 A1 A2 B0 B1 B2, o at sp + 24 */
        "ldr lr, [r3, #4]\n\t"
        "ldr r4, [r3, #20]\n\t"
        "cmp r4, #2\n\t"
        "beq 5f\n\t"
        "ldrsb r4, [r0]\n\t" /* map row 0 */
        "ldrsb r5, [r0, r1]\n\t"
        "add r2, r0, r1, lsl #1\n\t"
        "ldrsb r6, [r2]\n\t"
        TE_DW_MAP3_PAIRS("r8", "r9")
        "ldrsb r4, [r2, r1]\n\t" /* map row 1 */
        "add r2, r2, r1, lsl #1\n\t"
        "ldrsb r5, [r2]\n\t"
        "ldrsb r6, [r2, r1]\n\t"
        TE_DW_MAP3_PAIRS("r10", "r11")
        "add r2, r2, r1, lsl #1\n\t" /* map row 2 */
        "ldrsb r4, [r2]\n\t"
        "ldrsb r5, [r2, r1]\n\t"
        "add r2, r2, r1, lsl #1\n\t"
        "ldrsb r6, [r2]\n\t"
        TE_DW_MAP3_PAIRS("r12", "lr")
        "b 4f\n"
        "5:\n\t" /* 2x2 map: P0 = (v00, v01), Q0 = (v01, 0), P1, Q1 likewise, P2 = Q2 = 0 */
        "ldrsb r4, [r0]\n\t"
        "ldrsb r5, [r0, r1]\n\t"
        "add r2, r0, r1, lsl #1\n\t"
        "ldrsb r6, [r2]\n\t"
        "ldrsb r12, [r2, r1]\n\t"
        "add r4, lr, r4, lsl #1\n\t"
        "add r5, lr, r5, lsl #1\n\t"
        "add r6, lr, r6, lsl #1\n\t"
        "add r12, lr, r12, lsl #1\n\t"
        "pkhbt r8, r4, r5, lsl #16\n\t"
        "pkhbt r10, r6, r12, lsl #16\n\t"
        /* 2x2 map (P0 P1, kernel pairs on the stack): o0 = P0.A1 + P1.A2, o3 = P0.A0 + P1.A1,
         * o1 = P0.B1 + P1.B2, o4 = P0.B0 + P1.B1 */
        TE_DW_MAP3_DOTS("r8", "r10", "r8", "r10", "r8", "r10", "r8", "r10", "#24", "#36", "#28", "#40")
        "4:\n\t"
        "ldr r4, [r3, #20]\n\t"
        "cmp r4, #1\n\t"
        "bne 10f\n\t"
        /* 3x3 -> 2x2, stride 2 (the corners o0 o6 o2 o8): P0.A1 + P1.A2, P1.A0 + P2.A1, Q0.B1 + Q1.B2,
         * Q1.B0 + Q2.B1 */
        TE_DW_MAP3_DOTS("r8", "r10", "r10", "r12", "r9", "r11", "r11", "lr", "#24", "#48", "#32", "#56")
        "10:\n\t"
        /* A0 A1 A2: o0 o3 o6 = column 0 (P.A), o1 o4 o7 = column 1's third taps (tops of Q, A) */
        "ldm sp, {r4, r5, r6}\n\t"
        TE_DW_MAP3_COLUMN("smlad", "r8", "r10", "r12", "[r3]", "[r3]", "[r3]", "#24", "#36", "#48")
        TE_DW_MAP3_COLUMN("smlatt", "r9", "r11", "lr", "[r3]", "[r3]", "[r3]", "#28", "#40", "#52")
        "add r2, sp, #12\n\t"
        "ldm r2, {r4, r5, r6}\n\t" /* B0 B1 B2: column 1 += P.B, column 2 = Q.B */
        TE_DW_MAP3_COLUMN("smlad", "r8", "r10", "r12", "[sp, #28]", "[sp, #40]", "[sp, #52]", "#28", "#40", "#52")
        TE_DW_MAP3_COLUMN("smlad", "r9", "r11", "lr", "[r3]", "[r3]", "[r3]", "#32", "#44", "#56")
        "11:\n\t"
        "ldr r2, [r3, #28]\n\t" /* raw: the nine accumulators to r2, not requantized */
        "cbz r2, 3f\n\t"
        "add sp, sp, #24\n\t"
        "ldm sp!, {r4, r5, r6, r8, r9}\n\t"
        "stm r2!, {r4, r5, r6, r8, r9}\n\t"
        "ldm sp!, {r4, r5, r6, r8}\n\t"
        "stm r2, {r4, r5, r6, r8}\n\t"
        "b 9f\n"
        "3:\n\t"
        "ldr r4, [r3, #20]\n\t"
        "add r3, r3, #8\n\t"
        "ldm r3, {r8, r9, r10}\n\t" /* multiplier, round, exponent */
        "add sp, sp, #24\n\t"
        "cmp r4, #1\n\t"
        "beq 6f\n\t"
        "bhi 7f\n\t"
        "ldm sp!, {r2, r4, r5, r6}\n\t" /* 3x3 -> 3x3: o0..o3 */
        TE_DW_MAP3_REQUANT4
        "ldm sp!, {r2, r4, r5, r6}\n\t" /* o4..o7 */
        TE_DW_MAP3_REQUANT4
        "ldm sp!, {r2}\n\t" /* o8 */
        TE_DW_MAP3_Q("r2")
        "strb r2, [r0]\n\t"
        "b 9f\n"
        "6:\n\t" /* stride 2: the corners o0 o2 o6 o8 */
        "ldr r2, [sp]\n\t"
        "ldr r4, [sp, #8]\n\t"
        "ldr r5, [sp, #24]\n\t"
        "ldr r6, [sp, #32]\n\t"
        "b 8f\n"
        "7:\n\t" /* 2x2 map: o0 o1 o3 o4 */
        "ldrd r2, r4, [sp]\n\t"
        "ldrd r5, r6, [sp, #12]\n"
        "8:\n\t"
        TE_DW_MAP3_Q("r2") TE_DW_MAP3_Q("r4") TE_DW_MAP3_Q("r5") TE_DW_MAP3_Q("r6")
        "ldr r12, [r3, #24]\n\t" /* 128 + min of a clamped activation (round folds -min - 128), or 0 */
        "cmp r12, #0\n\t"
        "beq 12f\n\t"
        "qadd8 r2, r2, r12\n\t"
        "qadd8 r4, r4, r12\n\t"
        "qadd8 r5, r5, r12\n\t"
        "qadd8 r6, r6, r12\n"
        "12:\n\t"
        "strb r2, [r0]\n\t"
        "strb r4, [r0, r1]\n\t"
        "add r0, r0, r1, lsl #1\n\t"
        "strb r5, [r0]\n\t"
        "strb r6, [r0, r1]\n\t"
        "add sp, sp, #36\n"
        "9:\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
        :
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
}

/* The tiny-map shape (TE_DW_MAP3_S1, _S2: 3x3 kernel; TE_DW_MAP2_S1: 3x3, 5x5 or 7x7) of a square
 * kernel without dilation, pad (k - 1) / 2; -1 for any other layer. */
static int32_t te_dw_map3_shape(const te_depthwise_params *params, const te_dims *input_dims,
                                const te_dims *filter_dims, const te_dims *output_dims)
{
    const int32_t n = input_dims->w;
    const int32_t s = params->stride_w;
    const int32_t k = filter_dims->w;
    const int32_t pad = (k - 1) / 2;
    if (filter_dims->h != k || (k != 3 && (k != 5 && k != 7)) || params->dilation_h != 1 ||
        params->dilation_w != 1 || params->pad_top != pad || params->pad_left != pad || input_dims->h != n ||
        output_dims->h != output_dims->w || params->stride_h != s) {
        return -1;
    }
    if (n == 2 && s == 1 && output_dims->w == 2) {
        return TE_DW_MAP2_S1;
    }
    if (k == 3 && n == 3 && s == 1 && output_dims->w == 3) {
        return TE_DW_MAP3_S1;
    }
    return k == 3 && n == 3 && s == 2 && output_dims->w == 2 ? TE_DW_MAP3_S2 : -1;
}

/* Channel c of a tiny map whose requantization te_requant2 does not cover, from the accumulators acc
 * te_dw_map3_channel left (started at acc2, the doubled bias b0): te_requantize_s8 takes the halved
 * tap sums plus the bias. */
TE_NOINLINE static void te_dw_map3_general(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                           int32_t shape, const int32_t *acc, int32_t acc2, int32_t b0,
                                           int8_t *out, int32_t c, int32_t channels)
{
    /* the outputs among the 3x3 result's nine accumulators, by shape, up to the 9 */
    static const uint8_t picks[3][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 2, 6, 8, 9}, {0, 1, 3, 4, 9}};
    const uint8_t *pick;
    for (pick = picks[shape]; *pick != 9; ++pick, out += channels) { /* the doubled tap sum, halved */
        const int32_t taps = (int32_t)((uint32_t)acc[*pick] - (uint32_t)acc2) >> 1; /* exact mod 2^32 */
        *out = te_dw_requantize(taps + b0, quant->multiplier[c], quant->shift[c], params->output_offset,
                                params->activation);
    }
}

/* Every channel of a tiny map (te_dw_map3_shape; returns 0 for other layers) through
 * te_dw_map3_channel: requantized there when te_requant2 applies (activation maximum 127,
 * |bias| < 2^28; a higher minimum raised after the SSAT, max(SSAT(v), min) being the clamp), else by
 * te_dw_map3_general. */
TE_NOINLINE static int te_dw_inplace_map3(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                          const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                          const int8_t *filter, const int32_t *bias, const te_dims *output_dims)
{
    const int32_t shape = te_dw_map3_shape(params, input_dims, filter_dims, output_dims);
    const int32_t k = filter_dims->w;
    const int32_t outputs = output_dims->h * output_dims->w;
    const int32_t channels = input_dims->c;
    const int8_t *centre = filter + (k - 3) / 2 * (k + 1) * channels; /* tap ((k - 3) / 2, (k - 3) / 2) */
    const int32_t low = params->activation.min;
    const int top = params->activation.max == 127;
    /* four outputs, [min, 127] with min < 0: SSAT of v - min - 128, QADD8 by 128 + min (as the row pairs) */
    const int32_t fold = shape != TE_DW_MAP3_S1 && low > -128 && low < 0 ? 128 + low : 0;
    int32_t blk[9];
    int32_t acc[9];
    int32_t c;
    if (shape < 0) {
        return 0;
    }
    blk[1] = 2 * params->input_offset;
    blk[5] = shape;
    blk[6] = (k - 2) * channels;
    blk[7] = 0;
    blk[8] = fold;
    for (c = 0; c < channels; ++c) {
        const int32_t b0 = bias != NULL ? bias[c] : 0;
        const int32_t shift = quant->shift[c];
        const int32_t m = quant->multiplier[c];
        /* big: right shifts of 23..31, whole range: |acc| < 2^28 + 2^19 leaves the shifted value within
         * +-33 (SSAT clamps nothing), the offset added after, saturating (as te_dw_fast_run's row pairs) */
        int big = 0;
        blk[0] = (int32_t)(2u * (uint32_t)b0); /* wraps for |bias| >= 2^30: undone by the general path */
        blk[2] = m;
        blk[4] = -shift;
        if (b0 < (1 << 28) && b0 > -(1 << 28) &&
            ((top && te_requant2_applies(m, shift)) ||
             (big = top && low == -128 && m >= 0 && shift < -TE_REQ2_MAX_EXPONENT && shift >= -31) != 0)) {
            blk[3] = big ? (int32_t)(1u << (-shift - 1)) : te_requant2_round(shift, params->output_offset - fold);
            te_dw_map3_channel(buffer + c, channels, centre + c, blk);
            if (big || (low > -128 && fold == 0)) {
                int8_t *o = buffer + c;
                int32_t i;
                for (i = 0; i < outputs; ++i, o += channels) {
                    *o = big ? (int8_t)__ssat(*o + params->output_offset, 8) : (int8_t)(*o < low ? low : *o);
                }
            }
        } else {
            blk[7] = (int32_t)(intptr_t)acc;
            te_dw_map3_channel(buffer + c, channels, centre + c, blk);
            blk[7] = 0;
            te_dw_map3_general(params, quant, shape, acc, blk[0], b0, buffer + c, c, channels);
        }
    }
    return 1;
}
#endif

/* Channels c..c+n-1 (n <= 4) of the small-map path one pixel at a time (portable path, a last group of
 * fewer than four channels, rows wider than 63). */
TE_DW_SMALL static void te_dw_group_plain(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                          const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                          const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                          int8_t *group, int32_t c, int32_t n)
{
    const int32_t channels = input_dims->c;
    const int32_t pixels = input_dims->h * input_dims->w;
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
                              oy * params->stride_h - params->pad_top, ox * params->stride_w - params->pad_left, acc);
            for (j = 0; j < n; ++j) {
                out[j] = te_dw_requantize(acc[j], quant->multiplier[c + j], quant->shift[c + j], params->output_offset,
                                          params->activation);
            }
            out += channels;
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
    int32_t c;
#if defined(__ARM_FEATURE_DSP)
    const int32_t pixels = input_dims->h * input_dims->w;
    te_dw_group4_q qbuf;
    te_dw_group4_q *q = &qbuf;
    te_dw_win *win = (te_dw_win *)(void *)(group + 4 * pixels); /* after the copy, word-aligned */
    const int32_t total = output_dims->h * output_dims->w;
    if (total <= TE_DW_GROUP_WINS) {
        te_dw_group4_windows(params, input_dims, filter_dims->w, output_dims->w, 0, total, win);
    }
#endif
    for (c = 0; c < channels; c += 4) {
        const int32_t n = channels - c < 4 ? channels - c : 4;
#if defined(__ARM_FEATURE_DSP)
        int8_t *out = buffer + c;
        int32_t p;
        if (n == 4 && input_dims->w <= 63) { /* te_dw_win's byte-sized row steps */
            te_dw_group4_setup(params, quant, filter, bias, c, channels, filter_dims->h * filter_dims->w, q);
            for (p = 0; p < pixels; ++p) {
                ((int32_t *)(void *)group)[p] = te_read_s8x4(buffer + p * channels + c);
            }
            te_dw_group4(params, input_dims, filter_dims->w, output_dims, group, q, win, out, channels);
            continue;
        }
#endif
        te_dw_group_plain(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims, group, c, n);
    }
}

/* One output pixel from the saved channel plane: taps [ky0,ky1) x [kx0,kx1), weights strided. */
TE_NOINLINE_ONE_COPY static int32_t te_plane_pixel(const te_depthwise_params *params, const int8_t *plane, int32_t plane_w,
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

/* Requantization of the fast path for one channel (DSP path, see te_dw_fast_channel_ok). */
typedef struct {
    int32_t multiplier;
    int32_t round;    /* te_requant2_round of the output offset (minus the activation min if clamped) */
    int32_t exponent; /* -shift */
    int32_t low;      /* 128 + activation min (clamped variant) */
    int mode;         /* TE_DW_SSAT, TE_DW_CLAMP127 or TE_DW_GENERIC */
    int32_t shift;
    int32_t output_offset;
    te_activation act;
} te_dw_fast_q;

/* Requantization modes of the fast path: te_requant2 with the activation [-128, 127] (SSAT) or
 * [min, 127]; any other quantization or activation through te_requantize_s8. */
#define TE_DW_SSAT 0
#define TE_DW_CLAMP127 1
#define TE_DW_GENERIC 2

#define TE_DW_FAST_MAX_ACC0 (1 << 28)

/* Outputs per run of the multiply pass (stack int32s; even). */
#define TE_DW_RUN 64

#if defined(__ARM_FEATURE_DSP)
/*
 * The fast path on the DSP: per run of outputs, a multiply pass leaves each output's doubled
 * accumulator in a stack buffer (te_dw_macs_*: two horizontally adjacent outputs a, b per step, the
 * window rows read as words and split by SXTB16 into bytes (0, 2) and, with ROR 8, (1, 3)), then a
 * requantization pass stores the bytes (te_dw_requant_pairs). The multiply passes are inline asm with
 * fixed registers (r7 left alone: it may be the frame pointer); weights are int16 pairs of doubled
 * weights, for kernel row j: k = 3: (w0, w2) and w1 alone; k = 5: (w0, w2), (w1, w3), (w4, 0);
 * k = 7: (w0, w2), (w1, w3), (w4, w6), (w5, 0). A pair step reads only its two windows.
 */

/* 3x3, stride 1: npairs pair steps from window r (plane width pw), accumulators to buf.
 * blk: (w0, w2) of rows 0..2, (w1 row 0, w1 row 1), (w1 row 2, 0), acc2. Registers: r0 window,
 * r1 pw - 2, r2 buf, r3-r5 (w0, w2) of rows 0-2, r6 the w1 of rows 0 and 1, r8 w1 of row 2 with
 * the steps left in its top half, r9 acc2, r10 a, r11 b, r12 / lr bytes (0, 2) / (1, 3).
 * One step: 25 instructions, 18 MACs. */
TE_NOINLINE static void te_dw_macs_k3s1(const int8_t *r, int32_t pw, int32_t npairs, int32_t *buf, const int32_t *blk)
{
    register const int8_t *r0 __asm__("r0") = r;
    register int32_t r1 __asm__("r1") = pw - 2;
    register int32_t *r2 __asm__("r2") = buf;
    register const int32_t *r3 __asm__("r3") = blk;
    register int32_t r12 __asm__("r12") = npairs - 1;
    __asm__ volatile(
        "ldm r3, {r3, r4, r5, r6, r8, r9}\n\t"
        "orr r8, r8, r12, lsl #16\n"
        "1:\n\t"
        "ldr lr, [r0], #2\n\t" /* row 0: p0..p3 */
        "sxtb16 r12, lr\n\t"
        "sxtb16 lr, lr, ror #8\n\t"
        "smlad r10, r12, r3, r9\n\t" /* a = acc2 + p0 w0 + p2 w2 */
        "smlabb r10, lr, r6, r10\n\t" /* a += p1 w1 */
        "smlad r11, lr, r3, r9\n\t"   /* b = acc2 + p1 w0 + p3 w2 */
        "smlatb r11, r12, r6, r11\n\t" /* b += p2 w1 */
        "ldr lr, [r0, r1]\n\t"       /* row 1 */
        "sxtb16 r12, lr\n\t"
        "sxtb16 lr, lr, ror #8\n\t"
        "smlad r10, r12, r4, r10\n\t"
        "smlabt r10, lr, r6, r10\n\t"
        "smlad r11, lr, r4, r11\n\t"
        "smlatt r11, r12, r6, r11\n\t"
        "add r12, r0, r1, lsl #1\n\t" /* row 2 */
        "ldr lr, [r12, #2]\n\t"
        "sxtb16 r12, lr\n\t"
        "sxtb16 lr, lr, ror #8\n\t"
        "smlad r10, r12, r5, r10\n\t"
        "smlabb r10, lr, r8, r10\n\t"
        "smlad r11, lr, r5, r11\n\t"
        "smlatb r11, r12, r8, r11\n\t"
        "strd r10, r11, [r2], #8\n\t"
        "subs r8, r8, #0x10000\n\t"
        "bcs 1b\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)
        :
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");
}

/* Row-pair steps (te_dw_k3s1_rows2, te_dw_k3s2_rows2, te_dw_k3s1_rows2_min): blk's 16 words copied onto the stack, then
 * per step words 0-8 by one LDM: r2 (w21, w11), r5 r6 r8 r9 acc2, r10 (w00, w02), r11 (w10, w12),
 * r12 (w01, w11), lr (w20, w22) (doubled weights). */
#define TE_DW_ROWS2_ENTER(EXTRA)                                                                             \
    EXTRA                                                                                                   \
    "add r3, r2, #32\n\t"                                                                                   \
    "ldm r3, {r3, r4, r5, r6, r8, r9, r10, r11}\n\t"                                                        \
    "push {r3, r4, r5, r6, r8, r9, r10, r11}\n\t"                                                           \
    "ldm r2, {r2, r3, r4, r5, r6, r8, r9, r10}\n\t"                                                         \
    "push {r2, r3, r4, r5, r6, r8, r9, r10}\n"                                                               \
    "1:\n\t"                                                                                                \
    "ldm sp, {r2, r5, r6, r8, r9, r10, r11, r12, lr}\n\t"
/* te_dw_rows2 step's end (r0 already advanced): words 9-15 (multiplier, round, exponent, channels,
 * output pointer, ow * channels, end) by one LDM, te_requant2 + SSAT of r5 r6 (row y) and r8 r9
 * (row y + 1), four STRB, the output pointer stored back; the loop, then the stack block dropped. */
#define TE_DW_ROWS2_Q(R) "add lr, r3, " R ", asr #31\n\t" "smmlar " R ", " R ", r2, lr\n\t" "asr " R ", " R ", r4\n\t" \
    "ssat " R ", #8, " R "\n\t"
#define TE_DW_ROWS2_STORE(CLAMP, DROP)                                                                       \
    "add lr, sp, #36\n\t"                                                                                   \
    "ldm lr, {r2, r3, r4, r10, r11, r12, lr}\n\t"                                                           \
    "cmp r0, lr\n\t" /* flags kept to the BNE (no flag-setting instruction below) */                         \
    TE_DW_ROWS2_Q("r5") TE_DW_ROWS2_Q("r6") TE_DW_ROWS2_Q("r8") TE_DW_ROWS2_Q("r9")                           \
    CLAMP                                                                                                   \
    "strb r5, [r11]\n\t"                                                                                    \
    "strb r6, [r11, r10]\n\t"                                                                               \
    "add lr, r11, r12\n\t"                                                                                  \
    "strb r8, [lr]\n\t"                                                                                     \
    "strb r9, [lr, r10]\n\t"                                                                                \
    "add r11, r11, r10, lsl #1\n\t"                                                                         \
    "str r11, [sp, #52]\n\t"                                                                                \
    "bne 1b\n\t"                                                                                            \
    "add sp, sp, " DROP "\n\t"
/* The clamped variant (te_dw_k3s1_rows2_min; [min, 127], min < 0): blk's word 16 (128 + min) pushed first (sp + 64);
 * round folds output offset - min - 128, so SSAT leaves v - min - 128 (v the output with its offset,
 * the bottom clamped at min) and QADD8 by 128 + min (a byte in [0, 127]) adds it back, saturating
 * at 127: clamp(v, min, 127) in the low byte. */
#define TE_DW_ROWS2_MIN_ENTER "ldr r3, [r2, #64]\n\t" "push {r3, r4}\n\t" /* r4: padding (8-byte steps) */
#define TE_DW_ROWS2_MIN                                                                                      \
    "ldr r2, [sp, #64]\n\t"                                                                                 \
    "qadd8 r5, r5, r2\n\t"                                                                                  \
    "qadd8 r6, r6, r2\n\t"                                                                                  \
    "qadd8 r8, r8, r2\n\t"                                                                                  \
    "qadd8 r9, r9, r2\n\t"
/* A row-pair step function NAME (r window, pw plane width, blk its block) from the asm pieces. */
#define TE_DW_ROWS2_FN(NAME, ENTER_EXTRA, BODY, CLAMP, DROP)                                                 \
    TE_NOINLINE static void NAME(const int8_t *r, int32_t pw, const int32_t *blk)                           \
    {                                                                                                       \
        register const int8_t *r0 __asm__("r0") = r;                                                        \
        register int32_t r1 __asm__("r1") = pw;                                                             \
        register const int32_t *r2 __asm__("r2") = blk;                                                     \
        __asm__ volatile(TE_DW_ROWS2_ENTER(ENTER_EXTRA) BODY TE_DW_ROWS2_STORE(CLAMP, DROP)                 \
                         : "+r"(r0), "+r"(r1), "+r"(r2)                                                     \
                         :                                                                                  \
                         : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory"); \
    }

/*
 * 3x3, stride 1, full activation range (SSAT): two output rows at once, requantized and stored in
 * the same loop (no accumulator run). One step: output columns x, x + 1 of rows y, y + 1 from plane
 * rows y..y + 3 (each row's word split once by SXTB16 serves both output rows), then te_requant2
 * (ADD, SMMLAR, ASR), SSAT, STRB per output. blk (16 words) is copied onto the stack; each step
 * reloads words 0-8 by one LDM: (w21, w11), acc2 x 4, (w00, w02), (w10, w12), (w01, w11),
 * (w20, w22) (doubled weights), and words 9-15 by another: multiplier, round, exponent, channels,
 * output pointer (rewritten each step), ow * channels, the window pointer's end. Registers: r0 the
 * window (row y, column x), r1 pw, r3 / r4 bytes (0, 2) / (1, 3), r5 r6 the outputs of row y, r8 r9
 * those of row y + 1, r2 r10-r12 lr weights, then the requantization constants.
 * One step: 66 instructions, 36 MACs, four outputs stored.
 */
#define TE_DW_K3S1_ROWS2_BODY                                                                                   \
    "ldr r3, [r0]\n\t" /* plane row y: p0..p3 */                                                                \
    "sxtb16 r4, r3, ror #8\n\t"  /* (p1, p3) */                                                                 \
    "sxtb16 r3, r3\n\t"          /* (p0, p2) */                                                                 \
    "smlad r5, r3, r10, r5\n\t"  /* a0 += p0 w00 + p2 w02 */                                                    \
    "smlabb r5, r4, r12, r5\n\t" /* a0 += p1 w01 */                                                             \
    "smlad r6, r4, r10, r6\n\t"  /* b0 += p1 w00 + p3 w02 */                                                    \
    "smlatb r6, r3, r12, r6\n\t" /* b0 += p2 w01 */                                                             \
    "ldr r3, [r0, r1]\n\t"       /* row y + 1: kernel row 1 of row y, row 0 of row y + 1 */                     \
    "sxtb16 r4, r3, ror #8\n\t"                                                                                 \
    "sxtb16 r3, r3\n\t"                                                                                         \
    "smlad r5, r3, r11, r5\n\t"                                                                                 \
    "smlabt r5, r4, r12, r5\n\t"                                                                                \
    "smlad r6, r4, r11, r6\n\t"                                                                                 \
    "smlatt r6, r3, r12, r6\n\t"                                                                                \
    "smlad r8, r3, r10, r8\n\t"                                                                                 \
    "smlabb r8, r4, r12, r8\n\t"                                                                                \
    "smlad r9, r4, r10, r9\n\t"                                                                                 \
    "smlatb r9, r3, r12, r9\n\t"                                                                                \
    "ldr r3, [r0, r1, lsl #1]\n\t" /* row y + 2: kernel row 2 of row y, row 1 of row y + 1 */                   \
    "sxtb16 r4, r3, ror #8\n\t"                                                                                 \
    "sxtb16 r3, r3\n\t"                                                                                         \
    "smlad r5, r3, lr, r5\n\t"                                                                                  \
    "smlabb r5, r4, r2, r5\n\t"                                                                                 \
    "smlad r6, r4, lr, r6\n\t"                                                                                  \
    "smlatb r6, r3, r2, r6\n\t"                                                                                 \
    "smlad r8, r3, r11, r8\n\t"                                                                                 \
    "smlabt r8, r4, r2, r8\n\t"                                                                                 \
    "smlad r9, r4, r11, r9\n\t"                                                                                 \
    "smlatt r9, r3, r2, r9\n\t"                                                                                 \
    "add r3, r1, r1, lsl #1\n\t" /* row y + 3: kernel row 2 of row y + 1 */                                     \
    "ldr r3, [r0, r3]\n\t"                                                                                      \
    "sxtb16 r4, r3, ror #8\n\t"                                                                                 \
    "sxtb16 r3, r3\n\t"                                                                                         \
    "smlad r8, r3, lr, r8\n\t"                                                                                  \
    "smlabb r8, r4, r2, r8\n\t"                                                                                 \
    "smlad r9, r4, lr, r9\n\t"                                                                                  \
    "smlatb r9, r3, r2, r9\n\t"                                                                                 \
    "add r0, r0, #2\n\t"
TE_DW_ROWS2_FN(te_dw_k3s1_rows2, "", TE_DW_K3S1_ROWS2_BODY, "", "#64")
TE_DW_ROWS2_FN(te_dw_k3s1_rows2_min, TE_DW_ROWS2_MIN_ENTER, TE_DW_K3S1_ROWS2_BODY, TE_DW_ROWS2_MIN, "#72")

/* One kernel row of a stride-2 pair step (window row at r0: p0..p3 as a word, p4 alone) for the
 * outputs A, B (a = p0 w0 + p1 w1 + p2 w2, b = p2 w0 + p3 w1 + p4 w2): W = (w0, w2), w1 in the
 * bottom (V1 "b") or top (V1 "t") of V. */
#define TE_DW_S2_ROW(A, B, W, V, V1)                                                                         \
    "smlad " A ", r3, " W ", " A "\n\t"                                                                      \
    "smlab" V1 " " A ", r4, " V ", " A "\n\t"                                                                \
    "smlatb " B ", r3, " W ", " B "\n\t"                                                                     \
    "smlat" V1 " " B ", r4, " V ", " B "\n\t"
#define TE_DW_S2_LOAD(NEXT) NEXT "ldr r3, [r0]\n\t" "sxtb16 r4, r3, ror #8\n\t" "sxtb16 r3, r3\n\t"

/*
 * 3x3, stride 2, whole int8 range: as te_dw_k3s1_rows2 (same block and registers, r0 advancing by
 * four bytes per step) from plane rows 2y..2y + 4: row 2y + 2 serves kernel row 2 of row y and
 * kernel row 0 of row y + 1. Per plane row the word p0..p3 split by SXTB16 (r3 (p0, p2), r4 (p1, p3)),
 * then p4 by LDRSB into r3. One step: 84 instructions, 36 MACs, four outputs stored.
 */
#define TE_DW_K3S2_ROWS2_BODY                                                                                   \
    TE_DW_S2_LOAD("") TE_DW_S2_ROW("r5", "r6", "r10", "r12", "b")                                               \
    "ldrsb r3, [r0, #4]\n\t"                                                                                    \
    "smlabt r6, r3, r10, r6\n\t"                                                                                \
    TE_DW_S2_LOAD("add r0, r0, r1\n\t") TE_DW_S2_ROW("r5", "r6", "r11", "r12", "t")                             \
    "ldrsb r3, [r0, #4]\n\t"                                                                                    \
    "smlabt r6, r3, r11, r6\n\t"                                                                                \
    TE_DW_S2_LOAD("add r0, r0, r1\n\t") TE_DW_S2_ROW("r5", "r6", "lr", "r2", "b")                               \
    TE_DW_S2_ROW("r8", "r9", "r10", "r12", "b")                                                                 \
    "ldrsb r3, [r0, #4]\n\t"                                                                                    \
    "smlabt r6, r3, lr, r6\n\t"                                                                                 \
    "smlabt r9, r3, r10, r9\n\t"                                                                                \
    TE_DW_S2_LOAD("add r0, r0, r1\n\t") TE_DW_S2_ROW("r8", "r9", "r11", "r12", "t")                             \
    "ldrsb r3, [r0, #4]\n\t"                                                                                    \
    "smlabt r9, r3, r11, r9\n\t"                                                                                \
    TE_DW_S2_LOAD("add r0, r0, r1\n\t") TE_DW_S2_ROW("r8", "r9", "lr", "r2", "b")                               \
    "ldrsb r3, [r0, #4]\n\t"                                                                                    \
    "smlabt r9, r3, lr, r9\n\t"                                                                                 \
    "sub r0, r0, r1, lsl #2\n\t"                                                                                \
    "add r0, r0, #4\n\t"
TE_DW_ROWS2_FN(te_dw_k3s2_rows2, "", TE_DW_K3S2_ROWS2_BODY, "", "#64")

/*
 * 3x3, stride 2, whole int8 range, straight from the HWC buffer (te_dw_s2_direct's middle rows):
 * output rows y, y + 1, columns x, x + 1 per step from input rows 2y - pt .. 2y - pt + 4, columns
 * 2x - pl .. 2x - pl + 4, one LDRSB per byte (bytes C apart; column 3 through a second address),
 * one SMLAxy per tap, then te_requant2 + SSAT + STRB of the four outputs. blk (16 words) is pushed;
 * each step reloads words 0-8 by one LDM: r3 (w00, w02), r4 (w10, w12), r5 r6 r8 r9 acc2 (a0 b0 of
 * row y, a1 b1 of row y + 1), r10 (w20, w22), r11 (w01, w11), r12 (w21, 0) (doubled weights, the
 * te_dw_fast block of k 3), and words 9-14 by another: multiplier, round, exponent, output pointer
 * (stored back each step), ow * C, the window pointer's end. r0 the window (row by row), r1 C,
 * r2 in_w * C, lr the byte. One step: 100 instructions, 36 MACs, four outputs stored.
 */
#define TE_DW_D0 "ldrsb lr, [r0]\n\t"
#define TE_DW_D1 "ldrsb lr, [r0, r1]\n\t"
#define TE_DW_D2 "ldrsb lr, [r0, r1, lsl #1]\n\t"
#define TE_DW_D3 "add lr, r0, r1, lsl #1\n\t" "ldrsb lr, [lr, r1]\n\t"
#define TE_DW_D4 "ldrsb lr, [r0, r1, lsl #2]\n\t"
/* One input row for kernel row (W02 = (w0, w2), w1 in half H of W1) of the outputs A (columns 0-2)
 * and B (columns 2-4); TE_DW_DROW2 for two kernel rows at once (the row shared by rows y, y + 1). */
#define TE_DW_DMAC(A, B, W02, W1, H, C)                                                                     \
    TE_DW_DMAC_##C(A, B, W02, W1, H)
#define TE_DW_DMAC_0(A, B, W02, W1, H) "smlabb " A ", lr, " W02 ", " A "\n\t"
#define TE_DW_DMAC_1(A, B, W02, W1, H) "smlab" H " " A ", lr, " W1 ", " A "\n\t"
#define TE_DW_DMAC_2(A, B, W02, W1, H) "smlabt " A ", lr, " W02 ", " A "\n\t" "smlabb " B ", lr, " W02 ", " B "\n\t"
#define TE_DW_DMAC_3(A, B, W02, W1, H) "smlab" H " " B ", lr, " W1 ", " B "\n\t"
#define TE_DW_DMAC_4(A, B, W02, W1, H) "smlabt " B ", lr, " W02 ", " B "\n\t"
#define TE_DW_DROW(A, B, W02, W1, H)                                                                        \
    TE_DW_D0 TE_DW_DMAC(A, B, W02, W1, H, 0) TE_DW_D1 TE_DW_DMAC(A, B, W02, W1, H, 1)                       \
    TE_DW_D2 TE_DW_DMAC(A, B, W02, W1, H, 2) TE_DW_D3 TE_DW_DMAC(A, B, W02, W1, H, 3)                       \
    TE_DW_D4 TE_DW_DMAC(A, B, W02, W1, H, 4)
#define TE_DW_DROW2(A, B, W02, W1, H, E, F, X02, X1, XH)                                                    \
    TE_DW_D0 TE_DW_DMAC(A, B, W02, W1, H, 0) TE_DW_DMAC(E, F, X02, X1, XH, 0)                               \
    TE_DW_D1 TE_DW_DMAC(A, B, W02, W1, H, 1) TE_DW_DMAC(E, F, X02, X1, XH, 1)                               \
    TE_DW_D2 TE_DW_DMAC(A, B, W02, W1, H, 2) TE_DW_DMAC(E, F, X02, X1, XH, 2)                               \
    TE_DW_D3 TE_DW_DMAC(A, B, W02, W1, H, 3) TE_DW_DMAC(E, F, X02, X1, XH, 3)                               \
    TE_DW_D4 TE_DW_DMAC(A, B, W02, W1, H, 4) TE_DW_DMAC(E, F, X02, X1, XH, 4)
/* te_requant2 + SSAT of R (r3 multiplier, r4 round, r10 exponent; lr scratch) */
#define TE_DW_DQ(R) "add lr, r4, " R ", asr #31\n\t" "smmlar " R ", " R ", r3, lr\n\t" "asr " R ", " R ", r10\n\t" \
    "ssat " R ", #8, " R "\n\t"
#define TE_DW_DNEXT "add r0, r0, r2\n\t"
TE_NOINLINE static void te_dw_k3s2_direct(const int8_t *p, int32_t channels, int32_t row_bytes, const int32_t *blk)
{
    register const int8_t *r0 __asm__("r0") = p;
    register int32_t r1 __asm__("r1") = channels;
    register int32_t r2 __asm__("r2") = row_bytes;
    register const int32_t *r3 __asm__("r3") = blk;
    __asm__ volatile(
        "add r4, r3, #32\n\t"
        "ldm r4, {r4, r5, r6, r8, r9, r10, r11, r12}\n\t"
        "push {r4, r5, r6, r8, r9, r10, r11, r12}\n\t"
        "ldm r3, {r3, r4, r5, r6, r8, r9, r10, r11}\n\t"
        "push {r3, r4, r5, r6, r8, r9, r10, r11}\n"
        "1:\n\t"
        "ldm sp, {r3, r4, r5, r6, r8, r9, r10, r11, r12}\n\t"
        TE_DW_DROW("r5", "r6", "r3", "r11", "b") TE_DW_DNEXT /* row 0: kernel row 0 of y */
        TE_DW_DROW("r5", "r6", "r4", "r11", "t") TE_DW_DNEXT /* row 1: kernel row 1 of y */
        TE_DW_DROW2("r5", "r6", "r10", "r12", "b", "r8", "r9", "r3", "r11", "b") TE_DW_DNEXT /* 2 of y, 0 of y + 1 */
        TE_DW_DROW("r8", "r9", "r4", "r11", "t") TE_DW_DNEXT /* row 3: kernel row 1 of y + 1 */
        TE_DW_DROW("r8", "r9", "r10", "r12", "b")            /* row 4: kernel row 2 of y + 1 */
        "sub r0, r0, r2, lsl #2\n\t" /* back to row 0, four input columns on */
        "add r0, r0, r1, lsl #2\n\t"
        "add lr, sp, #36\n\t"
        "ldm lr, {r3, r4, r10, r11, r12, lr}\n\t"
        "cmp r0, lr\n\t" /* flags kept to the BNE (no flag-setting instruction below) */
        TE_DW_DQ("r5") TE_DW_DQ("r6") TE_DW_DQ("r8") TE_DW_DQ("r9")
        "strb r5, [r11]\n\t"
        "strb r6, [r11, r1]\n\t"
        "add r12, r11, r12\n\t"
        "strb r8, [r12]\n\t"
        "strb r9, [r12, r1]\n\t"
        "add r11, r11, r1, lsl #1\n\t"
        "str r11, [sp, #48]\n\t"
        "bne 1b\n\t"
        "add sp, sp, #64\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
        :
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
}

/* 3x3, stride 2: as te_dw_macs_k3s1 with r1 = pw; per row p0..p3 as a word and p4 alone.
 * One step: 33 instructions, 18 MACs. */
TE_NOINLINE static void te_dw_macs_k3s2(const int8_t *r, int32_t pw, int32_t npairs, int32_t *buf, const int32_t *blk)
{
    register const int8_t *r0 __asm__("r0") = r;
    register int32_t r1 __asm__("r1") = pw;
    register int32_t *r2 __asm__("r2") = buf;
    register const int32_t *r3 __asm__("r3") = blk;
    register int32_t r12 __asm__("r12") = npairs - 1;
    __asm__ volatile(
        "ldm r3, {r3, r4, r5, r6, r8, r9}\n\t"
        "orr r8, r8, r12, lsl #16\n"
        "1:\n\t"
        "ldr lr, [r0], #4\n\t" /* row 0: p0..p3, then r0 = p4 */
        "sxtb16 r12, lr\n\t"
        "sxtb16 lr, lr, ror #8\n\t"
        "smlad r10, r12, r3, r9\n\t"  /* a = acc2 + p0 w0 + p2 w2 */
        "smlabb r10, lr, r6, r10\n\t" /* a += p1 w1 */
        "smlatb r11, r12, r3, r9\n\t" /* b = acc2 + p2 w0 */
        "smlatb r11, lr, r6, r11\n\t" /* b += p3 w1 */
        "ldrsb r12, [r0]\n\t"
        "smlabt r11, r12, r3, r11\n\t" /* b += p4 w2 */
        "add r0, r0, r1\n\t"           /* row 1 */
        "ldr lr, [r0, #-4]\n\t"
        "sxtb16 r12, lr\n\t"
        "sxtb16 lr, lr, ror #8\n\t"
        "smlad r10, r12, r4, r10\n\t"
        "smlabt r10, lr, r6, r10\n\t"
        "smlatb r11, r12, r4, r11\n\t"
        "smlatt r11, lr, r6, r11\n\t"
        "ldrsb r12, [r0]\n\t"
        "smlabt r11, r12, r4, r11\n\t"
        "add r0, r0, r1\n\t" /* row 2 */
        "ldr lr, [r0, #-4]\n\t"
        "sxtb16 r12, lr\n\t"
        "sxtb16 lr, lr, ror #8\n\t"
        "smlad r10, r12, r5, r10\n\t"
        "smlabb r10, lr, r8, r10\n\t"
        "smlatb r11, r12, r5, r11\n\t"
        "smlatb r11, lr, r8, r11\n\t"
        "ldrsb r12, [r0]\n\t"
        "smlabt r11, r12, r5, r11\n\t"
        "sub r0, r0, r1, lsl #1\n\t"
        "strd r10, r11, [r2], #8\n\t"
        "subs r8, r8, #0x10000\n\t"
        "bcs 1b\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)
        :
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");
}

/* 5x5: one kernel row of a pair step, the row's weights loaded by LDM (r4-r6). Stride 1: r0 points
 * two bytes into the row (p0..p3 at -2, p2..p5 at 0); a in r9, b in r10, acc2 in r8 (row 0 only). */
#define TE_DW_K5S1_ROW(A, B, LOAD0)                                                                          \
    "ldm r3!, {r4, r5, r6}\n\t" LOAD0 "sxtb16 r12, r11, ror #8\n\t" /* (p1, p3) */                          \
    "sxtb16 r11, r11\n\t"                                           /* (p0, p2) */                          \
    "smlad r9, r11, r4, " A "\n\t"                                  /* a += p0 w0 + p2 w2 */                \
    "smlad r9, r12, r5, r9\n\t"                                     /* a += p1 w1 + p3 w3 */                \
    "smlad r10, r12, r4, " B "\n\t"                                 /* b += p1 w0 + p3 w2 */                \
    "ldr r11, [r0]\n\t"                                             /* p2..p5 */                            \
    "sxtb16 r12, r11, ror #8\n\t"                                   /* (p3, p5) */                          \
    "sxtb16 r11, r11\n\t"                                           /* (p2, p4) */                          \
    "smlatb r9, r11, r6, r9\n\t"                                    /* a += p4 w4 */                        \
    "smlad r10, r11, r5, r10\n\t"                                   /* b += p2 w1 + p4 w3 */                \
    "smlatb r10, r12, r6, r10\n\t"                                  /* b += p5 w4 */
#define TE_DW_K5S1_NEXT "add r0, r0, r1\n\t" TE_DW_K5S1_ROW("r9", "r10", "ldr r11, [r0, #-2]\n\t")

/* 5x5, stride 1. blk: acc2, then per row (w0, w2), (w1, w3), (w4, 0). Registers: r0 window, r1 pw,
 * r2 buf, r3 weights, r4-r6 one row's weights, r8 acc2, r9 a, r10 b, r11 / r12 bytes, lr buf end.
 * One step: 74 instructions, 50 MACs. */
/* The 5x5 multiply pass around one row macro; STEP: bytes from a row's first load to the next pair. */
#define TE_DW_MACS_K5_FN(NAME, ROW, NEXT, STEP)                                                             \
TE_NOINLINE static void NAME(const int8_t *r, int32_t pw, int32_t npairs, int32_t *buf, const int32_t *blk) \
{                                                                                                           \
    register const int8_t *r0 __asm__("r0") = r;                                                            \
    register int32_t r1 __asm__("r1") = pw;                                                                 \
    register int32_t *r2 __asm__("r2") = buf;                                                               \
    register const int32_t *r3 __asm__("r3") = blk;                                                         \
    register int32_t *r12 __asm__("r12") = buf + 2 * npairs;                                                \
    __asm__ volatile(                                                                                       \
        "ldr r8, [r3], #4\n\t"                                                                              \
        "mov lr, r12\n"                                                                                     \
        "1:\n\t" ROW("r8", "r8", "ldr r11, [r0], #" STEP "\n\t") NEXT NEXT                                  \
            NEXT NEXT                                                                                       \
        "sub r0, r0, r1, lsl #2\n\t"                                                                        \
        "sub r3, r3, #60\n\t"                                                                               \
        "strd r9, r10, [r2], #8\n\t"                                                                        \
        "cmp r2, lr\n\t"                                                                                    \
        "bne 1b\n\t"                                                                                        \
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)                                                 \
        :                                                                                                   \
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");                                \
}
TE_DW_MACS_K5_FN(te_dw_macs_k5s1, TE_DW_K5S1_ROW, TE_DW_K5S1_NEXT, "2")

/* 5x5, stride 2: r0 points four bytes into the row (p0..p3 at -4, p2..p5 at -2, p6 at +2). */
#define TE_DW_K5S2_ROW(A, B, LOAD0)                                                                          \
    "ldm r3!, {r4, r5, r6}\n\t" LOAD0 "sxtb16 r12, r11, ror #8\n\t" /* (p1, p3) */                          \
    "sxtb16 r11, r11\n\t"                                           /* (p0, p2) */                          \
    "smlad r9, r11, r4, " A "\n\t"                                  /* a += p0 w0 + p2 w2 */                \
    "smlad r9, r12, r5, r9\n\t"                                     /* a += p1 w1 + p3 w3 */                \
    "ldr r11, [r0, #-2]\n\t"                                        /* p2..p5 */                            \
    "sxtb16 r12, r11, ror #8\n\t"                                   /* (p3, p5) */                          \
    "sxtb16 r11, r11\n\t"                                           /* (p2, p4) */                          \
    "smlatb r9, r11, r6, r9\n\t"                                    /* a += p4 w4 */                        \
    "smlad r10, r11, r4, " B "\n\t"                                 /* b += p2 w0 + p4 w2 */                \
    "smlad r10, r12, r5, r10\n\t"                                   /* b += p3 w1 + p5 w3 */                \
    "ldrsb r11, [r0, #2]\n\t"                                       /* p6 */                                \
    "smlabb r10, r11, r6, r10\n\t"                                  /* b += p6 w4 */
#define TE_DW_K5S2_NEXT "add r0, r0, r1\n\t" TE_DW_K5S2_ROW("r9", "r10", "ldr r11, [r0, #-4]\n\t")

/* 5x5, stride 2: as te_dw_macs_k5s1. One step: 79 instructions, 50 MACs. */
TE_DW_MACS_K5_FN(te_dw_macs_k5s2, TE_DW_K5S2_ROW, TE_DW_K5S2_NEXT, "4")

/* 7x7, stride 1: one kernel row, weights r4-r6, lr; r0 points two bytes into the row (p0..p3 at -2,
 * p4..p7 at +2). */
#define TE_DW_K7S1_ROW(LOAD0)                                                                                \
    "ldm r3!, {r4, r5, r6, lr}\n\t" LOAD0 "sxtb16 r12, r11, ror #8\n\t" /* (p1, p3) */                      \
    "sxtb16 r11, r11\n\t"                                               /* (p0, p2) */                      \
    "smlad r9, r11, r4, r9\n\t"                                         /* a += p0 w0 + p2 w2 */            \
    "smlad r9, r12, r5, r9\n\t"                                         /* a += p1 w1 + p3 w3 */            \
    "smlad r10, r12, r4, r10\n\t"                                       /* b += p1 w0 + p3 w2 */            \
    "smlatb r10, r11, r5, r10\n\t"                                      /* b += p2 w1 */                    \
    "ldr r11, [r0, #2]\n\t"                                             /* p4..p7 */                        \
    "sxtb16 r12, r11, ror #8\n\t"                                       /* (p5, p7) */                      \
    "sxtb16 r11, r11\n\t"                                               /* (p4, p6) */                      \
    "smlad r9, r11, r6, r9\n\t"                                         /* a += p4 w4 + p6 w6 */            \
    "smlabb r9, r12, lr, r9\n\t"                                        /* a += p5 w5 */                    \
    "smlad r10, r12, r6, r10\n\t"                                       /* b += p5 w4 + p7 w6 */            \
    "smlabt r10, r11, r5, r10\n\t"                                      /* b += p4 w3 */                    \
    "smlatb r10, r11, lr, r10\n\t"                                      /* b += p6 w5 */
#define TE_DW_K7S1_NEXT "add r0, r0, r1\n\t" TE_DW_K7S1_ROW("ldr r11, [r0, #-2]\n\t")

/* 7x7, stride 1. blk: acc2, acc2, then per row (w0, w2), (w1, w3), (w4, w6), (w5, 0). Registers:
 * r0 window, r1 pw, r2 buf, r3 weights, r4-r6 and lr one row's weights, r8 buf end, r9 a, r10 b,
 * r11 / r12 bytes. One step: 125 instructions, 98 MACs. */
/* The 7x7 multiply pass around one row macro, like TE_DW_MACS_K5_FN. */
#define TE_DW_MACS_K7_FN(NAME, ROW, NEXT, STEP)                                                             \
TE_NOINLINE static void NAME(const int8_t *r, int32_t pw, int32_t npairs, int32_t *buf, const int32_t *blk) \
{                                                                                                           \
    register const int8_t *r0 __asm__("r0") = r;                                                            \
    register int32_t r1 __asm__("r1") = pw;                                                                 \
    register int32_t *r2 __asm__("r2") = buf;                                                               \
    register const int32_t *r3 __asm__("r3") = blk + 2;                                                     \
    register int32_t *r12 __asm__("r12") = buf + 2 * npairs;                                                \
    __asm__ volatile(                                                                                       \
        "mov r8, r12\n"                                                                                     \
        "1:\n\t"                                                                                            \
        "ldrd r9, r10, [r3, #-8]\n\t" ROW("ldr r11, [r0], #" STEP "\n\t") NEXT NEXT                         \
            NEXT NEXT NEXT NEXT                                                                             \
        "sub r0, r0, r1, lsl #2\n\t"                                                                        \
        "sub r0, r0, r1, lsl #1\n\t"                                                                        \
        "sub r3, r3, #112\n\t"                                                                              \
        "strd r9, r10, [r2], #8\n\t"                                                                        \
        "cmp r2, r8\n\t"                                                                                    \
        "bne 1b\n\t"                                                                                        \
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)                                                 \
        :                                                                                                   \
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");                                \
}
TE_DW_MACS_K7_FN(te_dw_macs_k7s1, TE_DW_K7S1_ROW, TE_DW_K7S1_NEXT, "2")

/* 7x7, stride 2: r0 points four bytes into the row (p0..p3 at -4, p2..p5 at -2, p4..p7 at 0, p8 at 4). */
#define TE_DW_K7S2_ROW(LOAD0)                                                                                \
    "ldm r3!, {r4, r5, r6, lr}\n\t" LOAD0 "sxtb16 r12, r11, ror #8\n\t" /* (p1, p3) */                      \
    "sxtb16 r11, r11\n\t"                                               /* (p0, p2) */                      \
    "smlad r9, r11, r4, r9\n\t"                                         /* a += p0 w0 + p2 w2 */            \
    "smlad r9, r12, r5, r9\n\t"                                         /* a += p1 w1 + p3 w3 */            \
    "ldr r11, [r0, #-2]\n\t"                                            /* p2..p5 */                        \
    "sxtb16 r12, r11, ror #8\n\t"                                       /* (p3, p5) */                      \
    "sxtb16 r11, r11\n\t"                                               /* (p2, p4) */                      \
    "smlad r10, r11, r4, r10\n\t"                                       /* b += p2 w0 + p4 w2 */            \
    "smlad r10, r12, r5, r10\n\t"                                       /* b += p3 w1 + p5 w3 */            \
    "ldr r11, [r0]\n\t"                                                 /* p4..p7 */                        \
    "sxtb16 r12, r11, ror #8\n\t"                                       /* (p5, p7) */                      \
    "sxtb16 r11, r11\n\t"                                               /* (p4, p6) */                      \
    "smlad r9, r11, r6, r9\n\t"                                         /* a += p4 w4 + p6 w6 */            \
    "smlabb r9, r12, lr, r9\n\t"                                        /* a += p5 w5 */                    \
    "smlatb r10, r11, r6, r10\n\t"                                      /* b += p6 w4 */                    \
    "smlatb r10, r12, lr, r10\n\t"                                      /* b += p7 w5 */                    \
    "ldrsb r11, [r0, #4]\n\t"                                           /* p8 */                            \
    "smlabt r10, r11, r6, r10\n\t"                                      /* b += p8 w6 */
#define TE_DW_K7S2_NEXT "add r0, r0, r1\n\t" TE_DW_K7S2_ROW("ldr r11, [r0, #-4]\n\t")

/* 7x7, stride 2: as te_dw_macs_k7s1. One step: 153 instructions, 98 MACs. */
TE_DW_MACS_K7_FN(te_dw_macs_k7s2, TE_DW_K7S2_ROW, TE_DW_K7S2_NEXT, "4")

/* Multiply pass: npairs pair steps from window r (plane width pw), accumulators to buf. */
typedef void (*te_dw_macs_fn)(const int8_t *r, int32_t pw, int32_t npairs, int32_t *buf, const int32_t *blk);

/* The multiply passes by kernel k (3, 5, 7) and stride s (1, 2): index k - 4 + s. */
static te_dw_macs_fn const te_dw_macs_tab[6] = {te_dw_macs_k3s1, te_dw_macs_k3s2, te_dw_macs_k5s1,
                                                te_dw_macs_k5s2, te_dw_macs_k7s1, te_dw_macs_k7s2};

/* One channel's geometry for the fast path. */
typedef struct {
    const int8_t *plane;
    int32_t pw;
    int32_t row_step; /* stride * pw */
    int32_t s;
    int32_t oh;
    int32_t ow;
    int32_t channels;
    int full;
    te_dw_macs_fn macs;
    void (*rows2)(const int8_t *, int32_t, const int32_t *); /* 3x3 row-pair step (te_dw_k3_rows_channel) */
} te_dw_fast_geom;

/* One pair of te_dw_requant_pairs' SSAT loop: LDRD of two accumulators, te_requant2 (ADD of round
 * and the sign, SMMLAR, ASR), SSAT and STRB each, out on by two outputs (13 instructions). */
#define TE_DW_REQUANT_PAIR_ASM                                                                              \
    "ldrd %[a0], %[a1], [%[buf]], #8\n\t"                                                                \
    "add %[t], %[rnd], %[a0], asr #31\n\t"                                                               \
    "smmlar %[a0], %[a0], %[m], %[t]\n\t"                                                                \
    "add %[t], %[rnd], %[a1], asr #31\n\t"                                                               \
    "smmlar %[a1], %[a1], %[m], %[t]\n\t"                                                                \
    "asr %[a0], %[a0], %[e]\n\t"                                                                         \
    "asr %[a1], %[a1], %[e]\n\t"                                                                         \
    "ssat %[a0], #8, %[a0]\n\t"                                                                          \
    "ssat %[a1], #8, %[a1]\n\t"                                                                          \
    "strb %[a0], [%[out]]\n\t"                                                                           \
    "strb %[a1], [%[out], %[c]]\n\t"                                                                     \
    "add %[out], %[out], %[c], lsl #1\n\t"

/*
 * Requantization pass: npairs pairs of doubled accumulators from buf to out[0], out[channels], ...
 * through te_requant2 (te_requantize.h: SMMLAR with the output offset folded into its round, exact
 * for the fast path's accumulators, |acc| < 2^28 + 2^20), then SSAT for the activation
 * [-128, 127], or for [min, 127] (round folds output offset - min) USAT, UQADD8 by 128 + min
 * clamping the top, minus 128. Per pair: LDRD, per output ADD, SMMLAR, ASR, SSAT, STRB.
 */
TE_NOINLINE_ONE_COPY static void te_dw_requant_pairs(const int32_t *buf, int32_t npairs, const te_dw_fast_q *q, int8_t *out,
                                            int32_t channels)
{
    const int32_t *end = buf + 2 * npairs;
    const int32_t m = q->multiplier;
    const int32_t rnd = q->round;
    const int32_t e = q->exponent;
    const int32_t step = 2 * channels;
    if (q->mode == TE_DW_SSAT) {
        if (npairs & 1) {
            out[0] = (int8_t)__ssat(te_requant2(buf[0], m, rnd, e), 8);
            out[channels] = (int8_t)__ssat(te_requant2(buf[1], m, rnd, e), 8);
            out += step;
            buf += 2;
        }
        if (buf != end) {
            /* two pairs per pass, each output te_requant2 (ADD of round and the accumulator's sign,
             * SMMLAR, ASR) then SSAT and STRB: 26 instructions per four outputs */
            int32_t a0, a1, t;
            __asm__ volatile(
                "1:\n\t"
                TE_DW_REQUANT_PAIR_ASM TE_DW_REQUANT_PAIR_ASM
                "cmp %[buf], %[end]\n\t"
                "bne 1b\n\t"
                : [buf] "+r"(buf), [out] "+r"(out), [a0] "=&r"(a0), [a1] "=&r"(a1), [t] "=&r"(t)
                : [m] "r"(m), [rnd] "r"(rnd), [e] "r"(e), [c] "r"(channels), [end] "r"(end)
                : "cc", "memory");
        }
    } else if (q->mode == TE_DW_CLAMP127) {
        const uint32_t low = (uint32_t)q->low;
        do {
            out[0] = (int8_t)((int32_t)__uqadd8((uint32_t)__usat(te_requant2(buf[0], m, rnd, e), 8), low) - 128);
            out[channels] = (int8_t)((int32_t)__uqadd8((uint32_t)__usat(te_requant2(buf[1], m, rnd, e), 8), low) - 128);
            out += step;
            buf += 2;
        } while (buf != end);
    } else {
        do { /* the accumulators are doubled: halve them exactly */
            out[0] = te_dw_requantize(buf[0] >> 1, m, q->shift, q->output_offset, q->act);
            out[channels] = te_dw_requantize(buf[1] >> 1, m, q->shift, q->output_offset, q->act);
            out += step;
            buf += 2;
        } while (buf != end);
    }
}

/* Two doubled weights as an int16 pair (a low, b high). */
static inline int32_t te_dw_pack2(int32_t a, int32_t b)
{
    return (int32_t)(((uint32_t)(2 * a) & 0xFFFFu) | ((uint32_t)(2 * b) << 16));
}

/* The weight words of one channel for the multiply pass of kernel k (see te_dw_macs) from f (the
 * channel's first tap, taps channels apart) into w; returns the sum of the k x k weights. */
static inline int32_t te_dw_fast_weights_k(const int8_t *f, int32_t channels, int32_t k, int32_t *w)
{
    int32_t sum = 0;
    int32_t ky;
    for (ky = 0; ky < k; ++ky) {
        const int8_t *r = f + ky * k * channels;
        const int32_t t0 = r[0];
        const int32_t t1 = r[channels];
        const int32_t t2 = r[2 * channels];
        if (k == 3) {
            sum += t0 + t1 + t2;
            w[ky] = te_dw_pack2(t0, t2);
            if (ky == 0) {
                w[3] = te_dw_pack2(t1, 0);
            } else if (ky == 1) {
                w[3] |= (int32_t)((uint32_t)(2 * t1) << 16);
            } else {
                w[4] = te_dw_pack2(t1, 0);
            }
        } else {
            const int32_t t3 = r[3 * channels];
            const int32_t t4 = r[4 * channels];
            sum += t0 + t1 + t2 + t3 + t4;
            w[0] = te_dw_pack2(t0, t2);
            w[1] = te_dw_pack2(t1, t3);
            if (k == 5) {
                w[2] = te_dw_pack2(t4, 0);
                w += 3;
            } else {
                const int32_t t5 = r[5 * channels];
                const int32_t t6 = r[6 * channels];
                sum += t5 + t6;
                w[2] = te_dw_pack2(t4, t6);
                w[3] = te_dw_pack2(t5, 0);
                w += 4;
            }
        }
    }
    return sum;
}

/* The multiply pass's block of one channel (weights at blk + 0, 1 or 2 by k, see te_dw_macs); returns
 * the sum of the channel's weights (the accumulator start is set by te_dw_fast_block_acc). */
TE_NOINLINE static int32_t te_dw_fast_weights(const int8_t *f, int32_t channels, int32_t k, int32_t *blk)
{
    if (k == 3) {
        return te_dw_fast_weights_k(f, channels, 3, blk);
    }
    if (k == 5) {
        return te_dw_fast_weights_k(f, channels, 5, blk + 1);
    }
    return te_dw_fast_weights_k(f, channels, 7, blk + 2);
}

/* The doubled accumulator start acc2 into the multiply pass's block of kernel k. */
static void te_dw_fast_block_acc(int32_t k, int32_t acc2, int32_t *blk)
{
    if (k == 3) {
        blk[5] = acc2;
    } else {
        blk[0] = acc2;
        blk[1] = k == 7 ? acc2 : blk[1];
    }
}

/* Every output of one channel: runs of up to TE_DW_RUN outputs (whole rows, or pieces of a long row)
 * through the multiply pass, then the requantization pass. Pair steps run past an odd row's end
 * (the extra accumulator lands on the next row's slot, rewritten after) except on the channel's last
 * row, whose last step is moved one output left; an odd run ends with the same overlap. */
TE_NOINLINE static void te_dw_fast_channel(const te_dw_fast_geom *g, const int32_t *blk, const te_dw_fast_q *q,
                                           int8_t *out)
{
    int32_t runbuf[TE_DW_RUN + 2];
    int32_t *acc = runbuf + 1; /* acc[-1] and acc[TE_DW_RUN]: the overlapped and extra steps */
    const te_dw_macs_fn macs = g->macs;
    const int32_t pw = g->pw;
    const int32_t ow = g->ow;
    const int32_t cw = ow < TE_DW_RUN ? ow : TE_DW_RUN;
    const int32_t rows_per_run = TE_DW_RUN / cw;
    const int8_t *row = g->plane;
    int32_t oy = 0;
    while (oy < g->oh) {
        const int32_t rows = g->oh - oy < rows_per_run ? g->oh - oy : rows_per_run;
        int32_t x0;
        for (x0 = 0; x0 < ow; x0 += cw) {
            const int32_t n = ow - x0 < cw ? ow - x0 : cw;
            const int32_t total = rows * n;
            const int8_t *r = row + x0 * g->s;
            int32_t *b = acc;
            int32_t j;
            for (j = 1; j < rows; ++j) {
                macs(r, pw, (n + 1) >> 1, b, blk);
                r += g->row_step;
                b += n;
            }
            if ((n & 1) && oy + rows == g->oh && x0 + n == ow) {
                if (n > 1) {
                    macs(r, pw, n >> 1, b, blk);
                }
                macs(r + (n - 2) * g->s, pw, 1, b + n - 2, blk);
            } else {
                macs(r, pw, (n + 1) >> 1, b, blk);
            }
            if (total > 1) {
                te_dw_requant_pairs(acc, total >> 1, q, out, g->channels);
            }
            if (total & 1) {
                te_dw_requant_pairs(acc + total - 2, 1, q, out + (total - 2) * g->channels, g->channels);
            }
            out += total * g->channels;
        }
        oy += rows;
        row += rows * g->row_step;
    }
}

/* 3x3, stride 1 or 2, with SSAT requantization (the whole int8 range, or under stride 1 [min, 127]
 * with min < 0: te_dw_k3s1_rows2_min, SSAT then QADD8): output rows in pairs through rows2
 * (te_dw_k3s1_rows2, te_dw_k3s2_rows2, te_dw_k3s1_rows2_min). An odd width ends with a step one
 * column left, an odd height with a pair one row up (outputs stored twice, the same bytes; the plane
 * is the channel's copy). */
TE_NOINLINE static void te_dw_k3_rows_channel(const te_dw_fast_geom *g, const int32_t *blk, const te_dw_fast_q *q,
                                              int8_t *out, void (*rows2)(const int8_t *, int32_t, const int32_t *))
{
    const int32_t ow = g->ow;
    const int32_t pw = g->pw;
    const int32_t c = g->channels;
    const int32_t s = g->s;
    const int8_t *row = g->plane;
    int32_t pairs = g->oh >> 1;
    int32_t b[17];
    b[0] = (int32_t)(((uint32_t)blk[4] & 0xFFFFu) | ((uint32_t)blk[3] & 0xFFFF0000u)); /* (w21, w11) */
    b[1] = b[2] = b[3] = b[4] = blk[5];                                                  /* acc2 */
    b[5] = blk[0];
    b[6] = blk[1];
    b[7] = blk[3];
    b[8] = blk[2];
    b[9] = q->multiplier;
    b[10] = q->round;
    b[11] = q->exponent;
    b[12] = c;
    b[14] = ow * c;
    b[16] = q->low; /* te_dw_k3s1_rows2_min's QADD8 byte: 128 + min, or the output offset (shifts past 22) */
    if (g->oh & 1) {
        ++pairs; /* the last pair: rows oh - 2, oh - 1 (row oh - 2 stored again, same bytes) */
    }
    while (pairs-- > 0) {
        b[13] = (int32_t)(intptr_t)out;
        b[15] = (int32_t)(intptr_t)(row + (ow & ~1) * s);
        rows2(row, pw, b);
        if (ow & 1) {
            b[13] = (int32_t)(intptr_t)(out + (ow - 2) * c);
            b[15] = (int32_t)(intptr_t)(row + ow * s);
            rows2(row + (ow - 2) * s, pw, b);
        }
        if (pairs == 1 && (g->oh & 1)) {
            row += g->row_step;
            out += ow * c;
        } else {
            row += 2 * g->row_step;
            out += 2 * ow * c;
        }
    }
}

#endif

/* Channel c of the buffer into the interior of the padded plane (its border already holds the pad). */
TE_NOINLINE static void te_dw_copy_interior(const int8_t *buffer, int32_t c, int32_t channels, int32_t in_w,
                                            int32_t rows, int32_t cols, int8_t *dst, int32_t pw)
{
    const int8_t *row = buffer + c;
    const int32_t row_step = in_w * channels;
    int32_t y;
    for (y = 0; y < rows; ++y) {
#if defined(__ARM_FEATURE_DSP)
        /* eight bytes per pass (twice: LDRB x 4 at 0, C, 2C, 3C, ORR x 3, STR; 20 instructions), then
         * four bytes once, then single bytes */
        const int8_t *src = row;
        int8_t *d = dst;
        int32_t n = cols;
        int32_t t0, t1, t2, t3;
#define TE_DW_COPY4                                                                                          \
    "ldrb %[t0], [%[s]]\n\t"                                                                                \
    "ldrb %[t1], [%[s], %[c1]]\n\t"                                                                         \
    "ldrb %[t2], [%[s], %[c2]]\n\t"                                                                         \
    "ldrb %[t3], [%[s], %[c3]]\n\t"                                                                         \
    "add %[s], %[s], %[c1], lsl #2\n\t"                                                                     \
    "orr %[t0], %[t0], %[t1], lsl #8\n\t"                                                                   \
    "orr %[t0], %[t0], %[t2], lsl #16\n\t"                                                                  \
    "orr %[t0], %[t0], %[t3], lsl #24\n\t"                                                                  \
    "str %[t0], [%[d]], #4\n\t"
        __asm__ volatile(
            "subs %[n], %[n], #8\n\t"
            "blt 2f\n"
            "1:\n\t" TE_DW_COPY4 TE_DW_COPY4
            "subs %[n], %[n], #8\n\t"
            "bge 1b\n"
            "2:\n\t" /* n = bytes left - 8: its low three bits are those of the bytes left */
            "tst %[n], #4\n\t"
            "beq 5f\n\t" TE_DW_COPY4
            "5:\n\t"
            "ands %[n], %[n], #3\n\t"
            "beq 4f\n"
            "3:\n\t"
            "ldrb %[t0], [%[s]]\n\t"
            "add %[s], %[s], %[c1]\n\t"
            "strb %[t0], [%[d]], #1\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 3b\n"
            "4:\n\t"
            : [s] "+r"(src), [d] "+r"(d), [n] "+r"(n), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2),
              [t3] "=&r"(t3)
            : [c1] "r"(channels), [c2] "r"(2 * channels), [c3] "r"(3 * channels)
            : "cc", "memory");
#undef TE_DW_COPY4
#else
        int32_t x;
        for (x = 0; x < cols; ++x) {
            dst[x] = row[x * channels];
        }
#endif
        row += row_step;
        dst += pw;
    }
}

#if defined(__ARM_FEATURE_DSP)
/*
 * The multiply pass's block of channel c (weights, doubled accumulator start) when
 * |bias + input offset * sum(w)| < 2^28 (with the taps' sum, |acc| < 2^28 + 2^20: the doubled
 * accumulators fit, and te_requant2's int32 steps cannot overflow even with round's offset at
 * 255 * 2^e); returns 0 when the channel must take the plain loop.
 */
static inline int te_dw_fast_blk(const te_depthwise_params *params, const int8_t *filter, const int32_t *bias,
                                 int32_t c, int32_t k, int32_t channels, int32_t *blk)
{
    const int32_t acc0 =
        (bias != NULL ? bias[c] : 0) + params->input_offset * te_dw_fast_weights(filter + c, channels, k, blk);
    if (acc0 >= TE_DW_FAST_MAX_ACC0 || acc0 <= -TE_DW_FAST_MAX_ACC0) {
        return 0;
    }
    te_dw_fast_block_acc(k, 2 * acc0, blk);
    return 1;
}

/* Every output of geometry g for channel c (block blk from te_dw_fast_blk): te_requant2 when it
 * applies and the activation maximum is 127, else te_requantize_s8. */
TE_NOINLINE static void te_dw_fast_run(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                       int32_t c, int32_t k, const te_dw_fast_geom *g, const int32_t *blk, int8_t *out)
{
    const int32_t multiplier = quant->multiplier[c];
    const int32_t shift = quant->shift[c];
    const te_activation act = params->activation;
    te_dw_fast_q q;
    q.multiplier = multiplier;
    q.exponent = -shift;
    q.low = 128 + act.min;
    q.mode = TE_DW_GENERIC;
    q.round = 0;
    if (te_requant2_applies(multiplier, shift) && act.max == 127) {
        if (k == 3 && g->oh >= 2 && act.min < 0 && g->rows2 != NULL) {
            /* row pairs: SSAT of v - min - 128, then (clamped) QADD8 by 128 + min (g->rows2) */
            q.round = te_requant2_round(shift, params->output_offset - act.min - 128);
            te_dw_k3_rows_channel(g, blk, &q, out, g->rows2);
            return;
        }
        q.mode = g->full ? TE_DW_SSAT : TE_DW_CLAMP127;
        q.round = te_requant2_round(shift, params->output_offset - (g->full ? 0 : act.min));
    } else if (k == 3 && g->s == 1 && g->oh >= 2 && g->full && multiplier >= 0 && shift < -TE_REQ2_MAX_EXPONENT &&
               shift >= -31) {
        /* right shifts of 23..31 (round would overflow with the output offset in it): |acc| < 2^28 + 2^20
         * leaves the shifted value within +-33, so SSAT clamps nothing and the offset can come after it:
         * round 2^(e-1), then the _min step's QADD8 by the offset's byte (saturating: the clamp) */
        q.round = (int32_t)(1u << (-shift - 1));
        q.low = params->output_offset & 0xFF;
        te_dw_k3_rows_channel(g, blk, &q, out, te_dw_k3s1_rows2_min);
        return;
    }
    q.shift = shift;
    q.output_offset = params->output_offset;
    q.act = act;
    te_dw_fast_channel(g, blk, &q, out);
}

/* Channel c through the DSP fast path (te_dw_fast_blk, te_dw_fast_run); 0: the plain loop's. */
static int te_dw_fast(const te_depthwise_params *params, const te_per_channel_quant *quant, const int8_t *filter,
                      const int32_t *bias, int32_t c, int32_t k, const te_dw_fast_geom *g, int8_t *out)
{
    int32_t blk[2 + 7 * 4];
    if (!te_dw_fast_blk(params, filter, bias, c, k, g->channels, blk)) {
        return 0;
    }
    te_dw_fast_run(params, quant, c, k, g, blk, out);
    return 1;
}

/* The plane geometry of te_dw_fast for kernel k, stride s (1, 2) on planes of width pw. */
TE_NOINLINE_ONE_COPY static void te_dw_fast_geom_init(const te_depthwise_params *params, int32_t k, int32_t s,
                                                      int32_t pw, int32_t oh, int32_t ow, int32_t channels,
                                                      te_dw_fast_geom *g)
{
    g->pw = pw;
    g->row_step = s * pw;
    g->s = s;
    g->oh = oh;
    g->ow = ow;
    g->channels = channels;
    g->full = params->activation.min == -128 && params->activation.max == 127;
    g->macs = te_dw_macs_tab[k - 4 + s];
    /* clamped stride 2: no _min step (its 5 more instructions per step about match the run path's
     * USAT + UQADD8 requantization on the zoo's map sizes; 10x10x144 s2 [-20, 127]: 67.0 -> 65.3
     * instructions per output for ~400 B of code) */
    g->rows2 = g->full ? (s == 1 ? te_dw_k3s1_rows2 : te_dw_k3s2_rows2) : (s == 1 ? te_dw_k3s1_rows2_min : NULL);
}
#endif

/* Output rows [oy0, oy1) of channel c one pixel at a time from src (a plane of row_bytes per row,
 * col_bytes per column: a padded plane, or the buffer at channel c), output (y, x)'s window at row
 * y * stride_h - y_pad, column x * stride_w - x_pad; clamp: only its taps inside the input. */
TE_DW_SMALL static void te_dw_plain_rows(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                         const te_dims *input_dims, const int8_t *filter, const int32_t *bias,
                                         int32_t c, int32_t k, const int8_t *src, int32_t row_bytes,
                                         int32_t col_bytes, int32_t y_pad, int32_t x_pad, int clamp, int32_t oy0,
                                         int32_t oy1, int32_t ow, int8_t *buffer)
{
    const int32_t channels = input_dims->c;
    te_depthwise_params bp = *params; /* col_bytes as te_plane_pixel's dilation_w */
    int32_t range[4] = {0, 0, 0, 0};
    int32_t oy;
    bp.dilation_w = col_bytes;
    range[1] = range[3] = k;
    for (oy = oy0; oy < oy1; ++oy) {
        const int32_t iy = oy * params->stride_h - y_pad;
        int32_t ox;
        for (ox = 0; ox < ow; ++ox) {
            const int32_t ix = ox * params->stride_w - x_pad;
            int32_t acc;
            if (clamp) { /* rows from 1 under left padding (te_dw_s2_direct): row + ix stays inside the buffer */
                te_tap_range(iy, 1, k, input_dims->h, &range[0], &range[1]);
                te_tap_range(ix, 1, k, input_dims->w, &range[2], &range[3]);
            }
            acc = te_plane_pixel(&bp, src, row_bytes, filter + c, channels, k, iy, ix * col_bytes, range,
                                 bias != NULL ? bias[c] : 0);
            buffer[(oy * ow + ox) * channels + c] =
                te_dw_requantize(acc, quant->multiplier[c], quant->shift[c], params->output_offset, params->activation);
        }
    }
}

/* The padded-plane path: square 3/5/7 kernels, no dilation. The plane's border holds the input zero
 * point (written once), each channel's input goes into its interior; on the DSP path the fast
 * multiply and requantization passes, else one output at a time. */
TE_NOINLINE static void te_dw_inplace_padded(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                 const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                 const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                 int8_t *plane)
{
    const int32_t channels = input_dims->c;
    const int32_t k = filter_dims->w;
    const int32_t s = params->stride_w;
    const int32_t oh = output_dims->h;
    const int32_t ow = output_dims->w;
    const int32_t ph = (oh - 1) * params->stride_h + k;
    const int32_t pw = (ow - 1) * s + k;
    const int32_t rows = params->pad_top + input_dims->h < ph ? input_dims->h : ph - params->pad_top;
    const int32_t cols = params->pad_left + input_dims->w < pw ? input_dims->w : pw - params->pad_left;
    int32_t c;
    int32_t i;
#if defined(__ARM_FEATURE_DSP)
    const int pairs = ow >= 2 && params->stride_h == s && s <= 2;
    te_dw_fast_geom geom;
    te_dw_fast_geom_init(params, k, s, pw, oh, ow, channels, &geom);
    geom.plane = plane;
#endif
    for (i = 0; i < ph * pw; ++i) {
        plane[i] = (int8_t)(-params->input_offset);
    }
    for (c = 0; c < channels; ++c) {
        if (rows > 0 && cols > 0) {
            te_dw_copy_interior(buffer, c, channels, input_dims->w, rows, cols,
                                plane + params->pad_top * pw + params->pad_left, pw);
        }
#if defined(__ARM_FEATURE_DSP)
        if (pairs && te_dw_fast(params, quant, filter, bias, c, k, &geom, buffer + c)) {
            continue;
        }
#endif
        te_dw_plain_rows(params, quant, input_dims, filter, bias, c, k, plane, pw, 1, 0, 0, 0, 0, oh, ow, buffer);
    }
}

#if defined(__ARM_FEATURE_DSP)
/* The pad column's correction of an accumulator start: a pad tap should add (zp + offset) * w = 0,
 * te_dw_k3s2_direct adds 2w * x of the byte it reads there (the neighbour row's), the start holds
 * 2w * offset for it: minus the sum over kernel rows j of (x_j - zp) * 2w_j, x_j at b + j * rs, 2w_j the
 * low (hi 0: w_j0) or high (hi 1: w_j2) half of fb[j] (te_dw_fast's k 3 block). */
static inline int32_t te_dw_s2_pad_fix(const int8_t *b, int32_t rs, const int32_t *fb, int32_t hi, int32_t zp)
{
    int32_t sum = 0;
    int32_t j;
    for (j = 0; j < 3; ++j) {
        sum += ((int32_t)b[j * rs] - zp) * (int32_t)(int16_t)(fb[j] >> (16 * hi));
    }
    return sum;
}

/* te_dw_s2_direct's middle rows [ytop, ybot) of one channel from the buffer, output rows in pairs:
 * te_dw_k3s2_direct over the steps from 0 (columns x, x + 1 at x = 0, 2, ...; odd ow: the last step
 * at ow - 2, its column ow - 2 stored again, the same bytes), the first (left pad) and last (right
 * pad) in calls of their own with corrected accumulator starts (te_dw_s2_pad_fix). blk: the step's
 * words 0-13 set but the output pointer; fb: te_dw_fast's block. */
TE_NOINLINE_ONE_COPY static void te_dw_s2_rows(const te_depthwise_params *params, const te_dims *input_dims,
                                               int8_t *buffer, const te_dims *output_dims, const te_dw_s2_geom *g,
                                               int32_t c, int32_t *blk, const int32_t *fb)
{
    const int32_t channels = input_dims->c;
    const int32_t rs = input_dims->w * channels;
    const int32_t ow = output_dims->w;
    const int32_t zp = -params->input_offset;
    const int32_t acc2 = fb[5];
    const int32_t first = params->pad_left > 0;               /* step 0 alone (left pad) */
    const int32_t steps = (ow + 1) / 2;                       /* the last at column ow - 2 */
    const int32_t run = steps - ((g->pr > 0 || (ow & 1)) ? 1 : 0); /* steps [first, run) in one call */
    int32_t y;
    for (y = g->ytop; y < g->ybot; y += 2) {
        int8_t *p, *o;
        if (y + 1 == g->ybot) {
            y = g->ybot - 2; /* odd count: the last pair one row up (row ybot - 2 stored again, same bytes) */
        }
        p = buffer + ((2 * y - params->pad_top) * input_dims->w - params->pad_left) * channels + c;
        o = buffer + y * ow * channels + c;
        if (first) { /* column 0's tap 0 on the pad: the row above's last byte */
            blk[2] = acc2 - te_dw_s2_pad_fix(p, rs, fb, 0, zp);
            blk[4] = acc2 - te_dw_s2_pad_fix(p + 2 * rs, rs, fb, 0, zp);
            blk[12] = (int32_t)(intptr_t)o;
            blk[14] = (int32_t)(intptr_t)(p + 4 * channels);
            te_dw_k3s2_direct(p, channels, rs, blk);
            blk[2] = blk[4] = acc2;
        }
        if (run > first) {
            blk[12] = (int32_t)(intptr_t)(o + 2 * first * channels);
            blk[14] = (int32_t)(intptr_t)(p + 4 * run * channels);
            te_dw_k3s2_direct(p + 4 * first * channels, channels, rs, blk);
        }
        if (run < steps) {
            p += 2 * (ow - 2) * channels;
            if (g->pr > 0) { /* column ow - 1's tap 2 on the pad: the row below's first byte */
                blk[3] = acc2 - te_dw_s2_pad_fix(p + 4 * channels, rs, fb, 1, zp);
                blk[5] = acc2 - te_dw_s2_pad_fix(p + 4 * channels + 2 * rs, rs, fb, 1, zp);
            }
            blk[12] = (int32_t)(intptr_t)(o + (ow - 2) * channels);
            blk[14] = (int32_t)(intptr_t)(p + 4 * channels);
            te_dw_k3s2_direct(p, channels, rs, blk);
            blk[3] = blk[5] = acc2;
        }
    }
}
#endif

/* te_dw_s2_direct's path (returns 0 for other layers): per channel the top and bottom planes' input
 * rows copied (their borders hold the input zero point, written once), then the middle rows, the top
 * rows, the bottom rows (after the middle: their stores land on bytes the middle still reads). */
TE_NOINLINE_ONE_COPY static int te_dw_inplace_s2(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                        const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                        const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                        int8_t *top)
{
    te_dw_s2_geom geom;
    const te_dw_s2_geom *g = &geom;
    if (!te_dw_s2_direct(params, input_dims, filter_dims, output_dims, &geom)) {
        return 0;
    }
    const int32_t channels = input_dims->c;
    const int32_t in_h = input_dims->h;
    const int32_t pw = g->pw;
    const int32_t pt = params->pad_top;
    const int32_t pl = params->pad_left;
    const int32_t cols = pl + input_dims->w < pw ? input_dims->w : pw - pl;
    /* per plane (top, bottom): first input row, input rows, its interior */
    const int32_t row0[2] = {0, 2 * g->ybot - pt};
    const int32_t rows[2] = {g->ptop - pt < in_h ? g->ptop - pt : in_h,
                             g->pbot == 0 ? 0 : in_h - row0[1] < g->pbot ? in_h - row0[1] : g->pbot};
    int8_t *const dst[2] = {top + pt * pw + pl, top + g->ptop * pw + pl};
    int32_t c, i, j;
#if defined(__ARM_FEATURE_DSP)
    const int32_t ow_c = output_dims->w * channels;
    const int32_t y0[2] = {0, g->ybot}; /* first output row */
    te_dw_fast_geom gs[2];
    int32_t fb[6];   /* te_dw_fast_run's block (k 3) */
    int32_t blk[16]; /* te_dw_k3s2_direct's */
    te_dw_fast_geom_init(params, 3, 2, pw, g->ytop, output_dims->w, channels, &gs[0]);
    gs[0].plane = top;
    gs[1] = gs[0];
    gs[1].plane = top + g->ptop * pw;
    gs[1].oh = output_dims->h - g->ybot;
#endif
    for (i = 0; i < (g->ptop + g->pbot) * pw; ++i) {
        top[i] = (int8_t)(-params->input_offset);
    }
    for (c = 0; c < channels; ++c) {
        for (j = 0; j < 2; ++j) {
            if (rows[j] > 0) {
                te_dw_copy_interior(buffer + row0[j] * input_dims->w * channels, c, channels, input_dims->w, rows[j],
                                    cols, dst[j], pw);
            }
        }
#if defined(__ARM_FEATURE_DSP)
        if (params->activation.max == 127 && te_requant2_applies(quant->multiplier[c], quant->shift[c]) &&
            te_dw_fast_blk(params, filter, bias, c, 3, channels, fb)) {
            const int8_t low = (int8_t)params->activation.min;
            int8_t *o = buffer + g->ytop * ow_c + c;
            /* te_dw_k3s2_direct's block: the weight words around the accumulator starts */
            blk[0] = fb[0];
            blk[1] = fb[1];
            blk[2] = blk[3] = blk[4] = blk[5] = fb[5];
            blk[6] = fb[2];
            blk[7] = fb[3];
            blk[8] = fb[4];
            blk[9] = quant->multiplier[c];
            blk[10] = te_requant2_round(quant->shift[c], params->output_offset);
            blk[11] = -quant->shift[c];
            blk[13] = ow_c;
            te_dw_s2_rows(params, input_dims, buffer, output_dims, g, c, blk, fb);
            for (; low > -128 && o != buffer + g->ybot * ow_c + c; o += channels) {
                *o = *o < low ? low : *o; /* [min, 127]: the step's clamp to [-128, 127] raised to min */
            }
            for (j = 0; j < 2; ++j) {
                te_dw_fast_run(params, quant, c, 3, &gs[j], fb, buffer + y0[j] * ow_c + c);
            }
            continue;
        }
#endif
        te_dw_plain_rows(params, quant, input_dims, filter, bias, c, 3, top, pw, 1, 0, 0, 0, 0, g->ytop,
                         output_dims->w, buffer);
        te_dw_plain_rows(params, quant, input_dims, filter, bias, c, 3, buffer + c, input_dims->w * channels, channels,
                         pt, pl, 1, g->ytop, output_dims->h, output_dims->w, buffer);
    }
    return 1;
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

/* Other kernels (not square 3/5/7, or dilated): each channel copied unpadded, the taps inside the
 * input per output. */
TE_DW_SMALL static void te_dw_inplace_plain(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                            const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                            const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                            int8_t *plane)
{
    const int32_t channels = input_dims->c;
    const int32_t pixels = input_dims->h * input_dims->w;
    const int32_t kw = filter_dims->w;
    int32_t c;
#if defined(__ARM_FEATURE_DSP)
    const int32_t taps = filter_dims->h * kw;
    int16_t weights16[TE_DW_INPLACE_MAX_TAPS];
    const int use_pairs = params->dilation_w == 1 && taps <= TE_DW_INPLACE_MAX_TAPS;
#endif
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
                out[ox * channels] = te_dw_requantize(acc, multiplier, shift, params->output_offset, params->activation);
            }
        }
    }
}

te_status te_depthwise_conv_inplace_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                       const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                       const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                       void *scratch)
{
    int8_t *plane = (int8_t *)scratch;
    const int32_t channels = input_dims->c;
    if (params->depth_multiplier != 1 || input_dims->n != 1 || output_dims->n != 1 || output_dims->c != channels ||
        filter_dims->c != channels || output_dims->h * output_dims->w > input_dims->h * input_dims->w ||
        params->stride_h < 1 || params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1 ||
        output_dims->h < 1 || output_dims->w < 1 || params->pad_top < 0 || params->pad_left < 0) {
        return TE_ERROR_ARGUMENT;
    }
    if (plane == NULL) {
        return TE_ERROR_SCRATCH;
    }
#if defined(__ARM_FEATURE_DSP)
    if (te_dw_inplace_map3(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims)) {
        return TE_OK;
    }
#endif
    if (te_dw_group_path(params, input_dims, filter_dims, output_dims)) {
        te_dw_inplace_groups(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims, plane);
    } else if (te_dw_inplace_s2(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims, plane)) {
        return TE_OK;
    } else if (te_dw_padded_path(params, filter_dims)) {
        te_dw_inplace_padded(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims, plane);
    } else {
        te_dw_inplace_plain(params, quant, input_dims, buffer, filter_dims, filter, bias, output_dims, plane);
    }
    return TE_OK;
}
