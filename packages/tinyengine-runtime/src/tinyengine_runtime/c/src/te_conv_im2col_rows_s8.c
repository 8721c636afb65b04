/*
 * int8 CONV_2D by im2col for windows whose kernel rows are whole words (kw * in_c a multiple of
 * four, dilation 1; te-gen widens a row with zero columns where that adds no group of four taps):
 * what te_conv_im2col_s8 computes (te_conv.h), for micro_speech's and person_detect's one-channel
 * layers, with the same packed filter, scratch and results, faster at the border. Every window is converted
 * straight from rows of bytes (te_im2col_gather): a window inside the input from the input, a
 * window reaching outside from a band of the padded image in the scratch patches
 * (te_im2col_band: a word load per four bytes, spliced with padding at the image's edge). Three
 * windows of one output row share one band (their union: 2 * stride_w * in_c + kw * in_c bytes a
 * kernel row, which fits the three patches while stride_w <= kw); blocks across two output rows
 * build one band per border window. The gather sums each window for the column's end group as it
 * converts; kernel rows over 8 bytes go through patches. The portable path is te_conv_im2col_s8's (te_im2col.c).
 */
#include "tinyengine/te_im2col.h"
#include "tinyengine/te_mac.h"

size_t te_conv_im2col_rows_s8_scratch_bytes(const te_dims *filter_dims)
{
    return te_im2col_scratch(filter_dims);
}

#if defined(TE_PAIR3_ASM)
/* n padding words at d. */
static inline void te_im2col_pad_words(uint32_t *d, int32_t n, uint32_t pad4)
{
    int32_t j;
    for (j = 0; j < n; ++j) {
        d[j] = pad4;
    }
}

/*
 * kh rows of `bytes` (a multiple of four) of the padded image into dst (word aligned), row ky from
 * input row y0 + ky and byte b0 of it on (b0 < 0: left padding), padding g->pad. Rows outside the
 * input are padding; the rows inside are written a word column at a time down the rows: a whole
 * word load inside the input row, padding outside it, a load spliced with padding where the word
 * straddles the row's first or last byte (rows of at least four bytes: every load stays inside the
 * row). Border windows read it as their rows: one window (bytes = its span) or a block's three
 * (their union).
 */
TE_NOINLINE_ONE_COPY static void te_im2col_band(const te_im2col_geom *g, const int8_t *image, int32_t y0, int32_t b0,
                                                int32_t bytes, int8_t *dst)
{
    const uint32_t pad4 = (uint8_t)g->pad * 0x01010101u;
    const int32_t row = g->row;
    const int32_t last = row - 4; /* the last byte a whole-word load may start at */
    const int32_t words = bytes >> 2;
    const int32_t ky_in = y0 < 0 ? (-y0 < g->kh ? -y0 : g->kh) : 0; /* the first row inside the input */
    const int32_t ky_out = g->in_h - y0 < g->kh ? (g->in_h - y0 > ky_in ? g->in_h - y0 : ky_in) : g->kh;
    const int32_t rows = ky_out - ky_in;
    const int8_t *line = image + (y0 + ky_in) * row; /* read only when rows > 0 */
    uint32_t *d = (uint32_t *)(void *)dst;
    int32_t j;
    int32_t b;
    te_im2col_pad_words(d, ky_in * words, pad4);
    te_im2col_pad_words(d + ky_out * words, (g->kh - ky_out) * words, pad4);
    d += ky_in * words;
    for (j = 0, b = b0; j < words; ++j, b += 4) {
        uint32_t *col = d + j;
        int32_t k;
        if ((uint32_t)b <= (uint32_t)last) {
            const int8_t *src = line + b;
            for (k = 0; k < rows; ++k, src += row, col += words) {
                *col = (uint32_t)te_read_s8x4(src);
            }
        } else if (b <= -4 || b >= row) {
            for (k = 0; k < rows; ++k, col += words) {
                *col = pad4;
            }
        } else if (b < 0) { /* -b padding bytes, then the row's first 4 + b */
            const uint32_t low = pad4 >> (32 + 8 * b);
            const int8_t *src = line;
            for (k = 0; k < rows; ++k, src += row, col += words) {
                *col = ((uint32_t)te_read_s8x4(src) << (-8 * b)) | low;
            }
        } else { /* the row's last row - b bytes, then padding */
            const uint32_t high = pad4 << (8 * (row - b));
            const int8_t *src = line + last;
            for (k = 0; k < rows; ++k, src += row, col += words) {
                *col = ((uint32_t)te_read_s8x4(src) >> (8 * (b - last))) | high;
            }
        }
    }
}

/*
 * Every output pixel of one batch image, three at a time, through te_pair3_block_summed: windows
 * inside the input from its rows; blocks with a border window from one band of the three (one
 * output row) or one band per border window (the inside ones from the input); te_im2col_gather
 * reads kernel rows of one or two groups, so wider rows (no zoo layer) take a patch per window.
 */
static void te_im2col_rows_image(te_im2col_layer *layer, const int8_t *image, int8_t *output)
{
    const te_im2col_geom *g = &layer->g;
    const int32_t width = layer->output_dims->w;
    const int32_t pixels = layer->output_dims->h * width;
    const int32_t out_channels = layer->output_dims->c;
    const int32_t next = g->stride_w * g->in_c; /* input bytes from one pixel's window to the next's */
    /* a band row of three windows (0: they do not fit the patches; one band per window) */
    const int rows = g->span <= 8; /* te_im2col_gather's rows: else every window through a patch */
    const int32_t band = next <= g->span && g->row >= 4 && rows ? (2 * next + g->span + 3) & ~3 : 0;
    int8_t *patches = layer->patches;
    int32_t *column = layer->column;
    te_im2col_job inside_job; /* three windows from the input */
    te_im2col_job band_job;   /* three windows of one output row from their band */
    te_im2col_job mixed_job;  /* windows from the input or from a band or patch each */
    te_im2col_walk w;
    int8_t *o = output;
    int32_t p;
    te_im2col_walk_init(g, layer->output_dims, image, &w);
    te_im2col_job_init(&inside_job, column, g->span >> 2, g->kh, g->row - g->span);
    te_im2col_job_init(&band_job, column, g->span >> 2, g->kh, band - g->span);
    mixed_job = inside_job;
    if (!rows) {
        w.y_last = -1; /* every window a border one */
        w.row_in = 0;
        te_im2col_patch_job(&mixed_job, column, layer->row);
    }
    for (p = 0; p < pixels; p += 3, o += 3 * out_channels) {
        const int8_t *src[3];
        int8_t *out[3];
        int32_t at[3][2];
        int32_t k;
        if (te_im2col_block(g, &w, p, pixels, width, o, out_channels, at, src, out)) {
            te_im2col_gather(src[0], src[1], src[2], &inside_job);
        } else if (band && at[0][0] == at[2][0] && at[2][1] == at[0][1] + 2) {
            /* three windows of one output row (not a short last block): their union, each a part of it */
            te_im2col_band(g, image, at[0][0] * g->stride_h - g->pad_top,
                           (at[0][1] * g->stride_w - g->pad_left) * g->in_c, band, patches);
            te_im2col_gather(patches, patches + next, patches + 2 * next, &band_job);
        } else {
#pragma GCC unroll 1
            for (k = 0; k < 3; ++k) {
                mixed_job.step[k] = g->row - g->span;
                if (!te_im2col_border(&w, at[k][0], at[k][1])) {
                    continue;
                }
                src[k] = patches + k * layer->row;
                mixed_job.step[k] = 0;
                if (g->row >= 4 && rows) {
                    te_im2col_band(g, image, at[k][0] * g->stride_h - g->pad_top,
                                   (at[k][1] * g->stride_w - g->pad_left) * g->in_c, g->span, patches + k * layer->row);
                } else {
                    te_im2col_patch(g, image, at[k][0], at[k][1], patches + k * layer->row);
                }
            }
            te_im2col_gather(src[0], src[1], src[2], &mixed_job);
        }
        te_pair3_block_summed(column, layer->filter, layer->row, out_channels, &layer->q, &layer->job, out[0],
                              out[1], out[2]);
    }
}
#endif

te_status te_conv_im2col_rows_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                                 const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                                 int8_t *output, void *scratch)
{
    if ((filter_dims->w * filter_dims->c) % 4 != 0 || params->dilation_h != 1 || params->dilation_w != 1) {
        return TE_ERROR_ARGUMENT;
    }
    return te_im2col_run(params, input_dims, input, filter_dims, filter, output_dims, output, scratch,
                         TE_IM2COL_IMAGE(te_im2col_rows_image));
}
