/* MUL (int8, TFLite's reference MulElementwise) with broadcasting; in place allowed. */
#include "tinyengine/te_broadcast.h"
#include "tinyengine/te_elementwise.h"
#include "tinyengine/te_requantize.h"

static inline int8_t te_mul_core(const te_mul_params *p, int32_t a, int32_t b)
{
    return te_requantize_s8((a + p->input1_offset) * (b + p->input2_offset), p->output_multiplier,
                            p->output_shift, p->output_offset, p->activation);
}

te_status te_mul_s8(const te_mul_params *params, const te_dims *input1_dims, const int8_t *input1,
                    const te_dims *input2_dims, const int8_t *input2, const te_dims *output_dims,
                    int8_t *output)
{
    int32_t s1[4];
    int32_t s2[4];
    te_status st;
    if (params == NULL) {
        return TE_ERROR_ARGUMENT;
    }
    st = te_broadcast_check(input1_dims, input1, input2_dims, input2, output_dims, output, s1, s2);
    if (st != TE_OK) {
        return st;
    }
    if (te_dims_equal(input1_dims, output_dims) && te_dims_equal(input2_dims, output_dims)) {
        const te_mul_params p = *params; /* int8 stores may alias *params: keep a local copy */
        const int32_t n = te_dims_count(output_dims);
        int32_t i;
        for (i = 0; i < n; ++i) {
            output[i] = te_mul_core(&p, input1[i], input2[i]);
        }
        return TE_OK;
    }
    TE_BROADCAST_LOOP(output_dims, input1, s1, input2, s2, output, *o = te_mul_core(params, a, b));
    return TE_OK;
}
