/* QUANTIZE float32 -> int8: TFLite's reference AffineQuantize. */
#include "tinyengine/te_float.h"
#include "tinyengine/te_quantize.h"

te_status te_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output)
{
    int32_t i;
    if (input == NULL || output == NULL || size < 0 || !(scale > 0.0f) || zero_point < -128 || zero_point > 127) {
        return TE_ERROR_ARGUMENT;
    }
    for (i = 0; i < size; ++i) {
        const float r = input[i] / scale;
        int32_t v;
        /* Out-of-range values saturate (TFLite's int32 cast is undefined there; NaN -> zero point). */
        if (r >= 512.0f) {
            v = 127;
        } else if (r <= -512.0f) {
            v = -128;
        } else if (r != r) {
            v = zero_point;
        } else {
            v = te_round_f32(r) + zero_point;
            v = v < -128 ? -128 : (v > 127 ? 127 : v);
        }
        output[i] = (int8_t)v;
    }
    return TE_OK;
}
