/* MAX_POOL_2D (int8): TFLite's reference integer MaxPool. */
#include <string.h>

#include "tinyengine/te_mac.h"
#include "tinyengine/te_pool_util.h"

te_status te_maxpool_s8(const te_pool_params *params, const te_dims *input_dims, const int8_t *input,
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
                int32_t x0, x1, y, x;
                te_pool_window(ox, params->stride_w, params->pad_w, params->filter_w, in->w, &x0, &x1);
                if (y1 <= y0 || x1 <= x0) {
                    return TE_ERROR_ARGUMENT;
                }
                c = 0;
#if defined(__ARM_FEATURE_DSP)
                /* Four channels at a time: SSUB8 sets a GE flag per byte where v >= m, SEL keeps
                 * those bytes of v: a per-byte signed maximum. */
                for (; c + 4 <= in->c; c += 4) {
                    int32_t m = (int32_t)0x80808080u;
                    int8_t r[4];
                    int32_t k;
                    for (y = y0; y < y1; ++y) {
                        const int8_t *row = input + ((n * in->h + y) * in->w) * in->c + c;
                        for (x = x0; x < x1; ++x) {
                            const int32_t v = te_read_s8x4(row + x * in->c);
                            (void)__ssub8(v, m);
                            m = (int32_t)__sel((uint32_t)v, (uint32_t)m);
                        }
                    }
                    memcpy(r, &m, 4);
                    for (k = 0; k < 4; ++k) {
                        output[k] = te_clamp_s8(r[k], params->activation);
                    }
                    output += 4;
                }
#endif
                for (; c < in->c; ++c) {
                    int32_t m = -128;
                    for (y = y0; y < y1; ++y) {
                        for (x = x0; x < x1; ++x) {
                            const int32_t v = input[((n * in->h + y) * in->w + x) * in->c + c];
                            m = v > m ? v : m;
                        }
                    }
                    *output++ = te_clamp_s8(m, params->activation);
                }
            }
        }
    }
    return TE_OK;
}
