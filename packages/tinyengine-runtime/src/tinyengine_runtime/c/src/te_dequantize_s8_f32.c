/* DEQUANTIZE int8 -> float32: TFLite's reference Dequantize. */
#include "tinyengine/te_quantize.h"

te_status te_dequantize_s8_f32(const int8_t *input, int32_t size, float scale, int32_t zero_point, float *output)
{
    int32_t i;
    if (input == NULL || output == NULL || size < 0) {
        return TE_ERROR_ARGUMENT;
    }
    /* TFLite computes (double)scale * (q - zp) and rounds to float; the exact product of a float
     * and a 9-bit integer fits a double, so one float32 multiply rounds to the same value. */
    for (i = 0; i < size; ++i) {
        output[i] = (float)(input[i] - zero_point) * scale;
    }
    return TE_OK;
}
