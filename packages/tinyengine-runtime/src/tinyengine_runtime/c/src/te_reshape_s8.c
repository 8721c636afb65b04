/* RESHAPE: a view; a byte copy only when the planner gives input and output different buffers. */
#include <string.h>

#include "tinyengine/te_reshape.h"

te_status te_reshape_s8(const int8_t *input, int8_t *output, int32_t size)
{
    if (input == NULL || output == NULL || size < 0) {
        return TE_ERROR_ARGUMENT;
    }
    if (input != output && size > 0) {
        memmove(output, input, (size_t)size);
    }
    return TE_OK;
}
