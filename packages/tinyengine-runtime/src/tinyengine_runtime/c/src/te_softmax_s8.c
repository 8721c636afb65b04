/* SOFTMAX (int8 -> int8): TFLite's reference_ops::Softmax with gemmlowp fixed point. */
#include "tinyengine/te_fixedpoint.h"
#include "tinyengine/te_softmax.h"

/* exp(input - max), the difference rescaled by beta and the input scale, in Q0.31. */
static int32_t te_softmax_exp(const te_softmax_params *p, int32_t diff)
{
    /* MultiplyByQuantizedMultiplierGreaterThanOne: the difference rescaled to Q5.26. */
    const int32_t scaled = te_saturating_rounding_doubling_high_mul(
        (int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
    return te_fp_exp_on_negative_values_q5(scaled);
}

te_status te_softmax_s8(const te_softmax_params *params, int32_t outer_size, int32_t depth, const int8_t *input,
                        int8_t *output)
{
    int32_t row;
    if (params == NULL || input == NULL || output == NULL || outer_size < 0 || depth < 1 ||
        params->input_left_shift < 0 || params->input_left_shift > 31) {
        return TE_ERROR_ARGUMENT;
    }
    for (row = 0; row < outer_size; ++row) {
        const int8_t *in = input + row * depth;
        int8_t *out = output + row * depth;
        int32_t max_in_row = -128;
        int32_t sum_of_exps = 0; /* Q12.19 */
        int32_t num_bits_over_unit;
        int32_t shifted_scale;
        int32_t exponent;
        int32_t c;
        for (c = 0; c < depth; ++c) {
            max_in_row = in[c] > max_in_row ? in[c] : max_in_row;
        }
        for (c = 0; c < depth; ++c) {
            const int32_t diff = in[c] - max_in_row;
            if (diff >= params->diff_min) {
                /* Rescale<12> of a Q0 value: a rounding right shift by 12. */
                sum_of_exps = te_fp_add(sum_of_exps, te_rounding_divide_by_pot(te_softmax_exp(params, diff), 12));
            }
        }
        shifted_scale = te_fp_get_reciprocal(sum_of_exps, 12, &num_bits_over_unit);
        exponent = num_bits_over_unit + 31 - 8;
        if (exponent < 0 || exponent > 31) {
            return TE_ERROR_ARGUMENT;
        }
        /* In place is safe: every input of the row was read above, each element below is read
         * before it is written. */
        for (c = 0; c < depth; ++c) {
            const int32_t diff = in[c] - max_in_row;
            int32_t v = -128;
            if (diff >= params->diff_min) {
                const int32_t exp_in_0 = te_softmax_exp(params, diff);
                v = te_rounding_divide_by_pot(te_saturating_rounding_doubling_high_mul(shifted_scale, exp_in_0),
                                              exponent) -
                    128;
                v = v < -128 ? -128 : (v > 127 ? 127 : v);
            }
            out[c] = (int8_t)v;
        }
    }
    return TE_OK;
}
