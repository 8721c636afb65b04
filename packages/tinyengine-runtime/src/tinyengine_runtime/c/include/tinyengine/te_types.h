/*
 * tinyengine-runtime: common types shared by every int8 kernel.
 *
 * Conventions (all kernels):
 *  - Activations are int8, NHWC, batch 1 unless a kernel says otherwise.
 *  - Offsets follow TFLite/CMSIS-NN: input_offset = -input_zero_point,
 *    output_offset = +output_zero_point.
 *  - Requantization multipliers are Q31 and shifts follow TFLite's convention
 *    (positive = left shift, negative = right shift), exactly as
 *    tflite::QuantizeMultiplier produces them.
 *  - Per-channel quantization is always given as arrays of length out_channels;
 *    per-tensor models repeat the single value (the code generator expands it).
 *  - No malloc, no globals; scratch memory is passed in by the caller and each
 *    kernel that needs some has a te_<kernel>_scratch_bytes() companion.
 */
#ifndef TINYENGINE_TE_TYPES_H
#define TINYENGINE_TE_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Return code of every kernel. */
typedef enum {
    TE_OK = 0,
    TE_ERROR_ARGUMENT = -1, /* a shape or parameter the kernel does not support */
    TE_ERROR_SCRATCH = -2   /* scratch buffer missing or too small */
} te_status;

/** Tensor dimensions in NHWC order; unused trailing dimensions are 1. */
typedef struct {
    int32_t n;
    int32_t h;
    int32_t w;
    int32_t c;
} te_dims;

/** Fused activation clamp, in the output's quantized domain. */
typedef struct {
    int32_t min;
    int32_t max;
} te_activation;

/** Per-output-channel requantization (arrays of length out_channels). */
typedef struct {
    const int32_t *multiplier;
    const int32_t *shift;
} te_per_channel_quant;

/** Per-tensor requantization. */
typedef struct {
    int32_t multiplier;
    int32_t shift;
} te_per_tensor_quant;

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_TYPES_H */
