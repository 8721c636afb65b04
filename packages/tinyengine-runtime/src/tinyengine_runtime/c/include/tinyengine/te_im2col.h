/*
 * tinyengine-runtime: what te_conv_im2col_s8 and te_conv_im2col_rows_s8 share (internal; the
 * out-of-line pieces in te_im2col.c): the layer's geometry, byte patches of windows (padding as
 * the byte -input_offset), the Cortex-M column gather and the common entry te_im2col_run (argument
 * checks, requantization set-up, the portable exact loop; the Cortex-M image loop is the kernel's).
 * Every tap counts as input + 128 (the packed bias holds the offset's part: te_conv.h).
 */
#ifndef TINYENGINE_TE_IM2COL_H
#define TINYENGINE_TE_IM2COL_H

#include "tinyengine/te_conv.h"
#include "tinyengine/te_pair.h"

/* Geometry of one layer, read per output pixel. */
typedef struct {
    int32_t in_h, in_w, in_c;
    int32_t kh, kw;
    int32_t span; /* kw * in_c: the bytes of one kernel row (dilation 1) */
    int32_t row;  /* in_w * in_c: bytes of one input row */
    int32_t stride_h, stride_w, pad_top, pad_left, dilation_h, dilation_w;
    int8_t pad; /* -input_offset: a padding tap (its value + offset is 0) */
    int plain;  /* dilation 1 */
} te_im2col_geom;

/* Scratch bytes of both kernels: three byte patches of round4(K), the three-pixel column, its end mark. */
static inline size_t te_im2col_scratch(const te_dims *filter_dims)
{
    return 9u * (size_t)te_pair3_row(filter_dims->h * filter_dims->w * filter_dims->c) + 12u;
}

/* n bytes from src to dst, a word at a time (te_im2col.c). */
void te_im2col_copy(int8_t *dst, const int8_t *src, int32_t n);

/* The K bytes of output pixel (oy, ox)'s window into patch, tap order (ky, kx, channel) (te_im2col.c). */
void te_im2col_patch(const te_im2col_geom *g, const int8_t *image, int32_t oy, int32_t ox, int8_t *patch);

/* One layer as the kernels' image loops see it. */
typedef struct {
    te_im2col_geom g;
    const te_dims *output_dims;
    int32_t length;        /* K = kh * kw * in_c */
    int32_t row;           /* te_pair3_row(K) */
    const int8_t *filter;  /* packed (te_conv.h) */
    int8_t *patches;       /* scratch: three patches of row bytes, then the column */
    int32_t *column;
#if defined(TE_PAIR3_ASM)
    te_pair3_out q;
    te_pair3_job job;
#endif
} te_im2col_layer;

/* Every output pixel of one batch image on Cortex-M (the kernel's loop). */
typedef void (*te_im2col_image_fn)(te_im2col_layer *layer, const int8_t *image, int8_t *output);

/*
 * Checks the arguments (TE_ERROR_ARGUMENT / TE_ERROR_SCRATCH), fills the layer and runs every batch
 * image: through image on Cortex-M, else the exact per-pixel loop (te_im2col.c).
 */
te_status te_im2col_run(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                        const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims, int8_t *output,
                        void *scratch, te_im2col_image_fn image);

#if defined(TE_PAIR3_ASM)
#define TE_IM2COL_IMAGE(f) (f)
#else
#define TE_IM2COL_IMAGE(f) NULL
#endif

#if defined(TE_PAIR3_ASM)
/*
 * What te_im2col_gather reads: rows of `groups` (1 or 2) four-tap groups, each pointer advanced by
 * its step between rows.
 */
typedef struct {
    int32_t *words;  /* [0] the column */
    int32_t groups;  /* [4] groups per row: 1 or 2 */
    int32_t rows;    /* [8] */
    int32_t k;       /* [12] 0x01FE01FE */
    int32_t step[3]; /* [16] per pixel: bytes from the end of one row to the start of the next */
} te_im2col_job;

/*
 * The column of pixels a, b, c with its end group (assembly, te_im2col.c): per group one word per
 * pixel, every tap 2 * (x + 128) (EOR 0x80, two masked ANDs), one STM of the group's six words;
 * each word's bytes x + 128 summed (USADA8), the end words 2^30 - 256 * sum.
 */
void te_im2col_gather(const int8_t *a, const int8_t *b, const int8_t *c, const te_im2col_job *job);

/* A job of `rows` rows of `groups` (1 or 2) groups, every pixel's row step `step`. */
static inline void te_im2col_job_init(te_im2col_job *job, int32_t *column, int32_t groups, int32_t rows,
                                      int32_t step)
{
    job->words = column;
    job->groups = groups;
    job->rows = rows;
    job->k = 0x01FE01FE;
    job->step[0] = step;
    job->step[1] = step;
    job->step[2] = step;
}

/* A job for three patches of `row` bytes (contiguous: rows of two groups when they divide it, else one). */
static inline void te_im2col_patch_job(te_im2col_job *job, int32_t *column, int32_t row)
{
    const int32_t groups = (row & 4) ? 1 : 2;
    te_im2col_job_init(job, column, groups, (row >> 2) / groups, 0);
}

/* The first and last output index whose window lies inside [0, size) along one axis (last < first: none). */
static inline void te_im2col_inner(int32_t size, int32_t kernel, int32_t stride, int32_t pad, int32_t out,
                                   int32_t *first, int32_t *last)
{
    const int32_t hi = size - kernel + pad;
    *first = (pad + stride - 1) / stride;
    *last = hi < 0 ? -1 : hi / stride;
    if (*last > out - 1) {
        *last = out - 1;
    }
}

/* Where a block loop stands: the next output pixel and its window's first input byte. */
typedef struct {
    int32_t oy, ox;
    const int8_t *line; /* the window of (oy, 0) (may lie before the image: padding) */
    int row_in;         /* row oy's windows lie inside the input vertically */
    int32_t y_first, y_last, x_first, x_last;
} te_im2col_walk;

/*
 * The block of output pixels p..p+2 (of pixels): each one's position at[k], window start src[k]
 * and output out[k] (a short last block repeats its last pixel); returns whether all three windows
 * lie inside the input. Advances the walk to pixel p + 3.
 */
static inline int te_im2col_block(const te_im2col_geom *g, te_im2col_walk *w, int32_t p, int32_t pixels,
                                  int32_t width, int8_t *o, int32_t out_channels, int32_t at[3][2],
                                  const int8_t *src[3], int8_t *out[3])
{
    int inside = 1;
    int32_t k;
#pragma GCC unroll 1
    for (k = 0; k < 3; ++k) {
        at[k][0] = w->oy;
        at[k][1] = w->ox;
        inside = inside && w->row_in && w->ox >= w->x_first && w->ox <= w->x_last;
        src[k] = w->line + w->ox * g->stride_w * g->in_c;
        out[k] = p + k < pixels ? o + k * out_channels : out[k - 1];
        if (p + k + 1 < pixels && ++w->ox == width) {
            w->ox = 0;
            ++w->oy;
            w->line += g->stride_h * g->row;
            w->row_in = w->oy >= w->y_first && w->oy <= w->y_last;
        }
    }
    return inside;
}

/* A walk from output pixel (0, 0). */
static inline void te_im2col_walk_init(const te_im2col_geom *g, const te_dims *output_dims, const int8_t *image,
                                       te_im2col_walk *w)
{
    te_im2col_inner(g->in_h, g->kh, g->stride_h, g->pad_top, output_dims->h, &w->y_first, &w->y_last);
    te_im2col_inner(g->in_w, g->kw, g->stride_w, g->pad_left, output_dims->w, &w->x_first, &w->x_last);
    if (!g->plain) {
        w->y_last = -1; /* every window through te_im2col_patch */
    }
    w->oy = 0;
    w->ox = 0;
    w->row_in = 0 >= w->y_first && 0 <= w->y_last;
    w->line = image - g->pad_top * g->row - g->pad_left * g->in_c;
}

/* True when output pixel (y, x)'s window reaches outside the input. */
static inline int te_im2col_border(const te_im2col_walk *w, int32_t y, int32_t x)
{
    return y < w->y_first || y > w->y_last || x < w->x_first || x > w->x_last;
}
#endif

#endif /* TINYENGINE_TE_IM2COL_H */
