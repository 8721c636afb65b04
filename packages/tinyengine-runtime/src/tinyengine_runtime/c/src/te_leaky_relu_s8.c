/* LEAKY_RELU (int8): TFLite's reference_ops::QuantizeLeakyRelu. */
#include "tinyengine/te_activations.h"
#include "tinyengine/te_requantize.h"

te_status te_leaky_relu_s8(const te_leaky_relu_params *params, const int8_t *input, int32_t size, int8_t *output)
{
    int32_t i;
    if (params == NULL || input == NULL || output == NULL || size < 0) {
        return TE_ERROR_ARGUMENT;
    }
    for (i = 0; i < size; ++i) {
        const int32_t x = input[i] + params->input_offset;
        int32_t v;
        if (x >= 0) {
            v = te_multiply_by_quantized_multiplier(x, params->identity_multiplier, params->identity_shift);
        } else {
            v = te_multiply_by_quantized_multiplier(x, params->alpha_multiplier, params->alpha_shift);
        }
        v += params->output_offset;
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        output[i] = (int8_t)v;
    }
    return TE_OK;
}
