/* AVERAGE_POOL_2D (int8): TFLite's reference integer AveragePool. */
#include <string.h>

#include "tinyengine/te_mac.h"
#include "tinyengine/te_pool_util.h"

/* Window sums of channels [c, c + 4) into sum[0..3]. The DSP path adds four channels at a time
 * into 16-bit lanes with SXTAB16 (exact: a window of at most 256 values cannot overflow). */
static void te_avgpool_sum4(const int8_t *input, const te_dims *in, int32_t n, int32_t c, int32_t y0, int32_t y1,
                            int32_t x0, int32_t x1, int32_t sum[4])
{
    int32_t y;
    int32_t x;
#if defined(__ARM_FEATURE_DSP)
    int32_t s02 = 0;
    int32_t s13 = 0;
    for (y = y0; y < y1; ++y) {
        const int8_t *row = input + ((n * in->h + y) * in->w) * in->c + c;
        for (x = x0; x < x1; ++x) {
            const int32_t v = te_read_s8x4(row + x * in->c);
            s02 = __sxtab16(s02, v);
            s13 = te_sxtab16_ror8(s13, v);
        }
    }
    sum[0] = (int16_t)s02;
    sum[1] = (int16_t)s13;
    sum[2] = s02 >> 16;
    sum[3] = s13 >> 16;
#else
    int32_t k;
    for (k = 0; k < 4; ++k) {
        sum[k] = 0;
    }
    for (y = y0; y < y1; ++y) {
        const int8_t *row = input + ((n * in->h + y) * in->w) * in->c + c;
        for (x = x0; x < x1; ++x) {
            for (k = 0; k < 4; ++k) {
                sum[k] += row[x * in->c + k];
            }
        }
    }
#endif
}

/* TFLite's rounding of the window mean: half away from zero. */
static int8_t te_avg_round(int32_t acc, int32_t count, te_activation act)
{
    const int32_t avg = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return te_clamp_s8(avg, act);
}

te_status te_avgpool_s8(const te_pool_params *params, const te_dims *input_dims, const int8_t *input,
                        const te_dims *output_dims, int8_t *output)
{
    te_pool_params p;
    te_dims in_dims;
    const te_dims *in = &in_dims;
    int32_t n, oy, ox, c;
    te_status st = te_pool_check(params, input_dims, input, output_dims, output);
    if (st != TE_OK) {
        return st;
    }
    /* Local copies: the int8 stores below may alias the caller's structs. */
    p = *params;
    params = &p;
    in_dims = *input_dims;
    for (n = 0; n < output_dims->n; ++n) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            int32_t y0, y1;
            te_pool_window(oy, params->stride_h, params->pad_h, params->filter_h, in->h, &y0, &y1);
            for (ox = 0; ox < output_dims->w; ++ox) {
                int32_t x0, x1, count;
                te_pool_window(ox, params->stride_w, params->pad_w, params->filter_w, in->w, &x0, &x1);
                count = (y1 - y0) * (x1 - x0);
                if (y1 <= y0 || x1 <= x0) {
                    return TE_ERROR_ARGUMENT; /* an empty window: TFLite fails too */
                }
                c = 0;
                if (count <= 256) {
                    for (; c + 4 <= in->c; c += 4) {
                        int32_t sum[4];
                        int32_t k;
                        te_avgpool_sum4(input, in, n, c, y0, y1, x0, x1, sum);
                        for (k = 0; k < 4; ++k) {
                            output[k] = te_avg_round(sum[k], count, params->activation);
                        }
                        output += 4;
                    }
                }
                for (; c < in->c; ++c) {
                    int32_t acc = 0;
                    int32_t y, x;
                    for (y = y0; y < y1; ++y) {
                        for (x = x0; x < x1; ++x) {
                            acc += input[((n * in->h + y) * in->w + x) * in->c + c];
                        }
                    }
                    *output++ = te_avg_round(acc, count, params->activation);
                }
            }
        }
    }
    return TE_OK;
}
