/* LOG_SOFTMAX (float32): TFLite's reference_ops::LogSoftmax, operation for operation. */
#include <float.h>
#include <math.h>

#include "tinyengine/te_softmax_f32.h"

te_status te_log_softmax_f32(int32_t outer_size, int32_t depth, const float *input, float *output)
{
    int32_t row;
    if (input == NULL || output == NULL || outer_size < 0 || depth < 1) {
        return TE_ERROR_ARGUMENT;
    }
    for (row = 0; row < outer_size; ++row) {
        const float *in = input + row * depth;
        float *out = output + row * depth;
        float max = -FLT_MAX;
        float sum = 0.0f;
        float log_sum;
        int32_t c;
        for (c = 0; c < depth; ++c) {
            max = max < in[c] ? in[c] : max;
        }
        for (c = 0; c < depth; ++c) {
            sum += expf(in[c] - max);
        }
        log_sum = logf(sum);
        /* In place is safe: each element is read before it is written. */
        for (c = 0; c < depth; ++c) {
            const float shifted = in[c] - max;
            out[c] = shifted - log_sum;
        }
    }
    return TE_OK;
}
