/* ADD (int8, TFLite's general quantized path) with broadcasting; in place allowed. */
#include "tinyengine/te_add_core.h"

te_status te_add_s8(const te_add_params *params, const te_dims *input1_dims, const int8_t *input1,
                    const te_dims *input2_dims, const int8_t *input2, const te_dims *output_dims,
                    int8_t *output)
{
    return te_add_sub(params, input1_dims, input1, input2_dims, input2, output_dims, output, 1);
}
