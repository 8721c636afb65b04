/*
 * int8 CONV_2D by im2col for a small window (K = kh * kw * in_c <= TE_CONV_IM2COL_MAX_TAPS): network
 * stems (3x3 on 3 channels) and DEPTHWISE_CONV_2D on one input channel (te-gen lowers it to this
 * kernel: multiplier M = M output channels, its filter transposed to [M, kh, kw, 1]), on the packed
 * filter of te_conv.h (rows of the K taps, padded to a multiple of four, in pairs) whose biases
 * hold the input offset's part: bias + (input_offset - 128) * (sum of the channel's weights).
 *
 * So every tap counts as input + 128 (x ^ 0x80 as an unsigned byte) and a padding tap as the byte
 * -input_offset: (-input_offset + 128) * w cancels that bias term. The Cortex-M path builds one
 * te_pair.h column of three output pixels (raster order; a short last block repeats its last
 * pixel) and runs te_pair3_block_summed on it. The column is converted four taps of the three
 * pixels at a time (te_im2col_gather, assembly: one word load per pixel, EOR and two masked ANDs give the
 * words 2 * (x + 128) of taps (0, 2) and (1, 3), one STM writes the group's six words, USADA8
 * sums the bytes x + 128 for the end group) from byte
 * patches in scratch (each window's K bytes in tap order; te_conv_im2col_rows_s8 reads kernel rows
 * of whole words straight from the input); 3x3 windows on 3 channels inside the input take the stem's spliced loads
 * (te_stem_interior); both sum each window for the column's end group as they convert. The
 * portable path converts one patch to int16 (x + 128) for
 * te_pair3_pixel_exact (te_im2col.c, shared with te_conv_im2col_rows_s8, which te-gen runs when
 * kernel rows are whole words).
 */
#include <string.h>

#include "tinyengine/te_im2col.h"
#include "tinyengine/te_mac.h"

size_t te_conv_im2col_s8_scratch_bytes(const te_dims *filter_dims)
{
    return te_im2col_scratch(filter_dims);
}

#if defined(TE_PAIR3_ASM)
/*
 * The K bytes of a window inside the input (dilation 1) from its first byte src into patch: per
 * kernel row one word copy when the row is shorter than a word (the word's extra bytes land on the
 * next row's place or past K: rewritten, or read against a zero weight; reading them stays inside
 * the input: the caller checks), else word copies.
 */
TE_NOINLINE_ONE_COPY static void te_im2col_inside_patch(const te_im2col_geom *g, const int8_t *src, int8_t *patch, int words)
{
    int32_t ky;
    for (ky = 0; ky < g->kh; ++ky) {
        if (words) {
            memcpy(patch, src, 4);
        } else {
            te_im2col_copy(patch, src, g->span);
        }
        patch += g->span;
        src += g->row;
    }
}

/*
 * 2 * (input + 128) of four taps x into the pixel's even (t0, t2) and odd (t1, t3) words of a
 * group; returns sum plus the four taps' input + 128 (USADA8 against 0).
 */
static inline uint32_t te_stem_group(int32_t x, uint32_t mask, int32_t *words, uint32_t sum)
{
    const uint32_t u = (uint32_t)x ^ 0x80808080u;
    words[0] = (int32_t)((u << 1) & mask);
    words[3] = (int32_t)((u >> 7) & mask);
    __asm__("usada8 %0, %1, %2, %0" : "+r"(sum) : "r"(u), "r"(0));
    return sum;
}

/*
 * A 3x3 window on 3 channels inside the input (dilation 1) from its three 9-byte kernel rows a,
 * b, c straight into its column words (words = the column + the pixel's index in the block), its
 * end word after the seven groups: 2^30 - 256 * (the sum of its taps + 128). Groups that straddle
 * two rows are spliced; the last group's fourth tap (its weight is 0) reads as 0 (counted: te_pair.h).
 */
static inline void te_stem_interior(const int8_t *a, const int8_t *b, const int8_t *c, int32_t *words)
{
    const uint32_t mask = 0x01FE01FEu;
    uint32_t sum = te_stem_group(te_read_s8x4(a), mask, words, 0);
    sum = te_stem_group(te_read_s8x4(a + 4), mask, words + 6, sum);
    /* a[8], b[0..2]: the byte before b is inside the image (b's row is not the first) */
    sum = te_stem_group((int32_t)(((uint32_t)te_read_s8x4(b - 1) & 0xFFFFFF00u) | (uint8_t)a[8]), mask, words + 12,
                        sum);
    sum = te_stem_group(te_read_s8x4(b + 3), mask, words + 18, sum);
    sum = te_stem_group((int32_t)(te_read_u8x2(b + 7) | (te_read_u8x2(c) << 16)), mask, words + 24, sum);
    sum = te_stem_group(te_read_s8x4(c + 2), mask, words + 30, sum);
    sum = te_stem_group((int32_t)((uint32_t)te_read_s8x4(c + 5) >> 8), mask, words + 36, sum);
    words[42] = (int32_t)(0x40000000u - (sum << 8));
}

/*
 * Every output pixel of one batch image, three at a time, through te_pair3_block_summed: 3x3
 * windows on 3 channels through te_stem_interior (with their sums) when the block's three lie
 * inside the input, every other window through a patch and te_im2col_gather (with their sums;
 * te-gen runs layers with whole-word kernel rows on te_conv_im2col_rows_s8).
 */
static void te_im2col_image_fast(te_im2col_layer *layer, const int8_t *image, int8_t *output)
{
    const te_im2col_geom *g = &layer->g;
    const int32_t width = layer->output_dims->w;
    const int32_t pixels = layer->output_dims->h * width;
    const int32_t out_channels = layer->output_dims->c;
    const int32_t row = layer->row;
    const int stem = g->kh == 3 && g->span == 9;
    /* windows starting before this byte may copy a short kernel row as a word */
    const int8_t *word_end = image + g->in_h * g->row - (g->kh - 1) * g->row - 4;
    int32_t *column = layer->column;
    int8_t *patches = layer->patches;
    te_im2col_job job; /* the three patches */
    te_im2col_walk w;
    int8_t *o = output;
    int32_t p;
    te_im2col_walk_init(g, layer->output_dims, image, &w);
    te_im2col_patch_job(&job, column, row);
    for (p = 0; p < pixels; p += 3, o += 3 * out_channels) {
        const int8_t *src[3];
        int8_t *out[3];
        int32_t at[3][2];
        const int inside = te_im2col_block(g, &w, p, pixels, width, o, out_channels, at, src, out);
        int32_t k;
        if (inside && stem) {
#pragma GCC unroll 1
            for (k = 0; k < 3; ++k) {
                te_stem_interior(src[k], src[k] + g->row, src[k] + 2 * g->row, column + k);
            }
        } else {
#pragma GCC unroll 1
            for (k = 0; k < 3; ++k) {
                if (te_im2col_border(&w, at[k][0], at[k][1])) {
                    te_im2col_patch(g, image, at[k][0], at[k][1], patches + k * row);
                } else {
                    te_im2col_inside_patch(g, src[k], patches + k * row, g->span < 4 && src[k] < word_end);
                }
            }
            te_im2col_gather(patches, patches + row, patches + 2 * row, &job);
        }
        te_pair3_block_summed(column, layer->filter, row, out_channels, &layer->q, &layer->job, out[0], out[1],
                              out[2]);
    }
}
#endif

te_status te_conv_im2col_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                            const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                            int8_t *output, void *scratch)
{
    return te_im2col_run(params, input_dims, input, filter_dims, filter, output_dims, output, scratch,
                         TE_IM2COL_IMAGE(te_im2col_image_fast));
}
