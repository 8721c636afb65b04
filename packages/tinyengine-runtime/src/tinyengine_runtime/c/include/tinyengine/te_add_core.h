/*
 * tinyengine-runtime: the per-element arithmetic shared by te_add_s8 and te_sub_s8
 * (internal, static inline): TFLite's AddElementwise / SubElementwise for int8, flat and broadcast.
 */
#ifndef TINYENGINE_TE_ADD_CORE_H
#define TINYENGINE_TE_ADD_CORE_H

#include "tinyengine/te_broadcast.h"
#include "tinyengine/te_elementwise.h"
#include "tinyengine/te_requantize.h"

/** One output: a and b are already offset (q + input offset); sign is +1 (ADD) or -1 (SUB). */
static inline int8_t te_add_core(const te_add_params *p, int32_t a, int32_t b, int32_t sign)
{
    const int32_t shifted1 = (int32_t)((uint32_t)a << p->left_shift);
    const int32_t shifted2 = (int32_t)((uint32_t)b << p->left_shift);
    const int32_t scaled1 = te_multiply_by_quantized_multiplier(shifted1, p->input1_multiplier, p->input1_shift);
    const int32_t scaled2 = te_multiply_by_quantized_multiplier(shifted2, p->input2_multiplier, p->input2_shift);
    const int32_t raw = sign > 0 ? scaled1 + scaled2 : scaled1 - scaled2;
    return te_requantize_s8(raw, p->output_multiplier, p->output_shift, p->output_offset, p->activation);
}

/* Same-shape inputs: one flat pass. (No DSP variant: measured on QEMU's Cortex-M7, unpacking four
 * bytes at a time with SXTAB16 saves nothing against the three requantizations per element.) */
static inline void te_add_flat(const te_add_params *params, const int8_t *in1, const int8_t *in2, int8_t *out,
                               int32_t n, int32_t sign)
{
    /* A local copy: int8 stores may alias *params, which would force a reload per element. */
    const te_add_params p = *params;
    int32_t i;
    for (i = 0; i < n; ++i) {
        out[i] = te_add_core(&p, in1[i] + p.input1_offset, in2[i] + p.input2_offset, sign);
    }
}

/** ADD (sign +1) or SUB (sign -1) over broadcast shapes: argument checks, then flat or broadcast loop. */
static inline te_status te_add_sub(const te_add_params *params, const te_dims *d1, const int8_t *in1,
                                   const te_dims *d2, const int8_t *in2, const te_dims *dout, int8_t *out,
                                   int32_t sign)
{
    int32_t s1[4];
    int32_t s2[4];
    te_status st;
    if (params == NULL || params->left_shift < 0 || params->left_shift > 30) {
        return TE_ERROR_ARGUMENT;
    }
    st = te_broadcast_check(d1, in1, d2, in2, dout, out, s1, s2);
    if (st != TE_OK) {
        return st;
    }
    if (te_dims_equal(d1, dout) && te_dims_equal(d2, dout)) {
        te_add_flat(params, in1, in2, out, te_dims_count(dout), sign);
        return TE_OK;
    }
    TE_BROADCAST_LOOP(dout, in1, s1, in2, s2, out,
                      *o = te_add_core(params, a + params->input1_offset, b + params->input2_offset, sign));
    return TE_OK;
}

#endif /* TINYENGINE_TE_ADD_CORE_H */
