/* CONCATENATION: per outer index, each input's slab is copied (or requantized) in turn. */
#include <string.h>

#include "tinyengine/te_requantize.h"
#include "tinyengine/te_reshape.h"

/* TFLite's Requantize (QUANTIZE int8 -> int8) of one slab. */
static void te_concat_requantize(const int8_t *src, int32_t n, const te_concat_quant *q, int8_t *dst)
{
    const te_activation full = {-128, 127};
    int32_t j;
    for (j = 0; j < n; ++j) {
        dst[j] = te_requantize_s8(src[j] + q->input_offset, q->multiplier, q->shift, q->output_offset, full);
    }
}

te_status te_concatenation_s8(const int8_t *const *inputs, const int32_t *axis_sizes, int32_t num_inputs,
                              int32_t outer_size, int32_t inner_size, const te_concat_quant *quant,
                              int8_t *output)
{
    int32_t outer;
    int32_t i;

    if (inputs == NULL || axis_sizes == NULL || output == NULL || num_inputs < 1 || outer_size < 0 ||
        inner_size < 0) {
        return TE_ERROR_ARGUMENT;
    }
    for (i = 0; i < num_inputs; ++i) {
        if (inputs[i] == NULL || axis_sizes[i] < 0) {
            return TE_ERROR_ARGUMENT;
        }
    }
    for (outer = 0; outer < outer_size; ++outer) {
        for (i = 0; i < num_inputs; ++i) {
            const int32_t n = axis_sizes[i] * inner_size;
            const int8_t *src = inputs[i] + outer * n;
            if (quant == NULL || quant[i].identity) {
                memcpy(output, src, (size_t)n);
            } else {
                te_concat_requantize(src, n, &quant[i], output);
            }
            output += n;
        }
    }
    return TE_OK;
}
