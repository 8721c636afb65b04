/* HARD_SWISH (int8): TFLite's reference_ops::HardSwish, 16-bit fixed point step by step. */
#include "tinyengine/te_activations.h"

/* gemmlowp SaturatingRoundingDoublingHighMul on int16. */
static int16_t te_srdhm16(int16_t a, int16_t b)
{
    int32_t ab;
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    ab = (int32_t)a * (int32_t)b;
    return (int16_t)((ab + (ab >= 0 ? (1 << 14) : (1 - (1 << 14)))) / (1 << 15));
}

/* TFLite SaturatingDoublingHighMul: as above but truncating (SQDMULH). */
static int16_t te_sdhm16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

/* TFLite SaturatingLeftShift on int16. */
static int16_t te_sat_shl16(int16_t value, int32_t amount)
{
    const int64_t r = (int64_t)value * ((int64_t)1 << amount);
    return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

/* gemmlowp RoundingDivideByPOT on int16. */
static int16_t te_rdbpot16(int16_t x, int32_t exponent)
{
    const int32_t mask = (1 << exponent) - 1;
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

te_status te_hard_swish_s8(const te_hard_swish_params *params, const int8_t *input, int32_t size, int8_t *output)
{
    const te_hard_swish_params *p = params;
    int32_t i;
    if (p == NULL || input == NULL || output == NULL || size < 0 || p->output_exponent > 0 ||
        p->output_exponent < -15 || p->reluish_exponent < -15 || p->reluish_exponent > 31 ||
        p->reluish_multiplier < INT16_MIN || p->reluish_multiplier > INT16_MAX ||
        p->output_multiplier < INT16_MIN || p->output_multiplier > INT16_MAX) {
        return TE_ERROR_ARGUMENT;
    }
    for (i = 0; i < size; ++i) {
        const int16_t input_value = (int16_t)(input[i] + p->input_offset);
        const int16_t hires = (int16_t)(input_value * (1 << 7));
        const int16_t preshift_output = te_srdhm16(hires, (int16_t)p->output_multiplier);
        int16_t reluish = hires;
        int16_t out;
        int32_t v;
        if (p->reluish_exponent > 0) {
            reluish = te_sat_shl16(reluish, p->reluish_exponent - 1);
        }
        reluish = te_srdhm16(reluish, (int16_t)p->reluish_multiplier);
        if (p->reluish_exponent > 0) {
            reluish = te_sat_shl16(reluish, 1);
        }
        if (p->reluish_exponent < 0) {
            reluish = te_rdbpot16(reluish, -p->reluish_exponent);
        }
        /* [-1, 1] -> [0, 1] in Q15. */
        reluish = (int16_t)((reluish + (1 << 15)) >> 1);
        out = te_rdbpot16(te_sdhm16(reluish, preshift_output), -p->output_exponent);
        out = (int16_t)(out + p->output_offset);
        v = out < -128 ? -128 : (out > 127 ? 127 : out);
        output[i] = (int8_t)v;
    }
    return TE_OK;
}
