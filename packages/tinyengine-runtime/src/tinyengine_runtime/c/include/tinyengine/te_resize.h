/*
 * tinyengine-runtime: RESIZE_NEAREST_NEIGHBOR on int8 NHWC tensors, bit-exact with TFLite's
 * reference kernel (source coordinates computed in float32 as TFLite does). Input and output
 * share their quantization. Not in place.
 */
#ifndef TINYENGINE_TE_RESIZE_H
#define TINYENGINE_TE_RESIZE_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t align_corners;      /* 0 or 1 */
    int32_t half_pixel_centers; /* 0 or 1 */
} te_resize_params;

te_status te_resize_nearest_s8(const te_resize_params *params, const te_dims *input_dims, const int8_t *input,
                               const te_dims *output_dims, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_RESIZE_H */
