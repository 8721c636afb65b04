/* LOGISTIC (int8): a 256-entry table lookup, as TFLite's reference int8 kernel. */
#include "tinyengine/te_activations.h"

te_status te_logistic_s8(const int8_t *lut, const int8_t *input, int32_t size, int8_t *output)
{
    int32_t i;
    if (lut == NULL || input == NULL || output == NULL || size < 0) {
        return TE_ERROR_ARGUMENT;
    }
    for (i = 0; i < size; ++i) {
        output[i] = lut[(uint8_t)input[i]];
    }
    return TE_OK;
}
