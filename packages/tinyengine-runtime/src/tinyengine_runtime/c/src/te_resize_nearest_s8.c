/* RESIZE_NEAREST_NEIGHBOR (int8): TFLite's reference ResizeNearestNeighbor. */
#include <string.h>

#include "tinyengine/te_float.h"
#include "tinyengine/te_resize.h"

/* TFLite's GetNearestNeighbor: the source index of output coordinate x along one axis. */
static int32_t te_nearest(int32_t x, int32_t in_size, int32_t out_size, int32_t align_corners,
                          int32_t half_pixel_centers)
{
    const float scale = (align_corners && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                                        : (float)in_size / (float)out_size;
    const float offset = half_pixel_centers ? 0.5f : 0.0f;
    const float pos = ((float)x + offset) * scale;
    int32_t v = align_corners ? te_round_f32(pos) : te_floor_f32(pos);
    v = v < in_size - 1 ? v : in_size - 1;
    if (half_pixel_centers && v < 0) {
        v = 0;
    }
    return v;
}

te_status te_resize_nearest_s8(const te_resize_params *params, const te_dims *input_dims, const int8_t *input,
                               const te_dims *output_dims, int8_t *output)
{
    const te_dims *in = input_dims;
    const te_dims *out = output_dims;
    int32_t n, y, x;
    if (params == NULL || in == NULL || out == NULL || input == NULL || output == NULL || in->n != out->n ||
        in->c != out->c || in->h < 1 || in->w < 1 || out->h < 1 || out->w < 1 || in->c < 1) {
        return TE_ERROR_ARGUMENT;
    }
    for (n = 0; n < out->n; ++n) {
        for (y = 0; y < out->h; ++y) {
            const int32_t in_y = te_nearest(y, in->h, out->h, params->align_corners, params->half_pixel_centers);
            const int8_t *row = input + (n * in->h + in_y) * in->w * in->c;
            for (x = 0; x < out->w; ++x) {
                const int32_t in_x =
                    te_nearest(x, in->w, out->w, params->align_corners, params->half_pixel_centers);
                memcpy(output, row + in_x * in->c, (size_t)in->c);
                output += in->c;
            }
        }
    }
    return TE_OK;
}
