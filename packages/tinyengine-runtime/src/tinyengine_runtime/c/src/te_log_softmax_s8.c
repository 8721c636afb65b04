/* LOG_SOFTMAX (int8): TFLite's reference_integer_ops::LogSoftmax with gemmlowp fixed point. */
#include "tinyengine/te_fixedpoint.h"
#include "tinyengine/te_softmax.h"

te_status te_log_softmax_s8(const te_log_softmax_params *params, int32_t outer_size, int32_t depth,
                            const int8_t *input, int8_t *output)
{
    enum { kInputIntegerBits = 5, kOutputIntegerBits = 4, kOutputZeroPoint = 127 };
    int32_t row;
    if (params == NULL || input == NULL || output == NULL || outer_size < 0 || depth < 1) {
        return TE_ERROR_ARGUMENT;
    }
    for (row = 0; row < outer_size; ++row) {
        const int8_t *in = input + row * depth;
        int8_t *out = output + row * depth;
        int32_t max_in_row = -128;
        int32_t sum_of_exps_in_q12 = 0;
        int32_t log_sum_of_exps_in_q5;
        int32_t adjusted_diff_min;
        int32_t reverse;
        int32_t c;
        for (c = 0; c < depth; ++c) {
            max_in_row = in[c] > max_in_row ? in[c] : max_in_row;
        }
        for (c = 0; c < depth; ++c) {
            const int32_t diff = in[c] - max_in_row;
            if (diff >= params->diff_min) {
                const int32_t diff_in_q5 =
                    te_multiply_by_quantized_multiplier(diff, params->input_multiplier, params->input_left_shift);
                sum_of_exps_in_q12 = te_fp_add(
                    sum_of_exps_in_q12, te_rounding_divide_by_pot(te_fp_exp_on_negative_values_q5(diff_in_q5), 12));
            }
        }
        log_sum_of_exps_in_q5 = te_fp_log_q12_to_q5(sum_of_exps_in_q12);
        reverse = te_multiply_by_quantized_multiplier(te_fp_add(log_sum_of_exps_in_q5, INT32_MIN),
                                                      params->reverse_scaling_divisor,
                                                      -params->reverse_scaling_right_shift);
        adjusted_diff_min = params->diff_min - 1 > reverse ? params->diff_min - 1 : reverse;
        for (c = 0; c < depth; ++c) {
            const int32_t diff = in[c] - max_in_row;
            int32_t v = -128;
            /* Note: > here, >= above (as TFLite). */
            if (diff > adjusted_diff_min) {
                const int32_t diff_in_q5 =
                    te_multiply_by_quantized_multiplier(diff, params->input_multiplier, params->input_left_shift);
                v = te_rounding_divide_by_pot(te_fp_sub(diff_in_q5, log_sum_of_exps_in_q5),
                                              31 - kInputIntegerBits - kOutputIntegerBits) +
                    kOutputZeroPoint;
                v = v < -128 ? -128 : (v > 127 ? 127 : v);
            }
            out[c] = (int8_t)v;
        }
    }
    return TE_OK;
}
