/* QUANTIZE int8 -> int8: TFLite's reference Requantize. */
#include "tinyengine/te_quantize.h"
#include "tinyengine/te_requantize.h"

te_status te_requantize_s8_s8(const te_requantize_params *params, const int8_t *input, int32_t size,
                              int8_t *output)
{
    const te_activation full = {-128, 127};
    int32_t i;
    if (params == NULL || input == NULL || output == NULL || size < 0) {
        return TE_ERROR_ARGUMENT;
    }
    for (i = 0; i < size; ++i) {
        output[i] = te_requantize_s8(input[i] + params->input_offset, params->multiplier, params->shift,
                                     params->output_offset, full);
    }
    return TE_OK;
}
