/*
 * tinyengine-runtime: LOG_SOFTMAX on float32 tensors (a model's float tail after DEQUANTIZE),
 * bit-exact with TFLite's reference_ops::LogSoftmax wherever expf and logf are the reference's
 * (the host's libm; a board's libm may differ in the last bit).
 *
 * The input is outer_size rows of depth values each (depth = last dimension). Works in place.
 */
#ifndef TINYENGINE_TE_SOFTMAX_F32_H
#define TINYENGINE_TE_SOFTMAX_F32_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** out = x - max(row) - log(sum(exp(x - max(row)))), in float32, one rounding per operation. */
te_status te_log_softmax_f32(int32_t outer_size, int32_t depth, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_SOFTMAX_F32_H */
