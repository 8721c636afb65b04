/*
 * tinyengine-runtime: data-movement kernels (no arithmetic on values except where noted).
 *
 * RESHAPE, TRANSPOSE, STRIDED_SLICE, PAD/PADV2 and CONCATENATION on int8 tensors of up to
 * TE_MAX_DIMS dimensions. Shapes are given in TFLite order (outermost first); a shape of
 * lower rank is treated as if padded with leading 1s.
 */
#ifndef TINYENGINE_TE_RESHAPE_H
#define TINYENGINE_TE_RESHAPE_H

#include "tinyengine/te_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TE_MAX_DIMS 5

/** A tensor shape of rank 1..TE_MAX_DIMS, outermost dimension first. */
typedef struct {
    int32_t rank;
    int32_t dims[TE_MAX_DIMS];
} te_shape;

/**
 * RESHAPE. A reshape does not move data in NHWC row-major order: the code generator
 * turns it into a view (the output tensor aliases the input buffer) and emits no call.
 * When the planner gives the two tensors different buffers, this kernel copies `size`
 * bytes (memmove: overlapping buffers are fine); when the pointers are equal it does nothing.
 */
te_status te_reshape_s8(const int8_t *input, int8_t *output, int32_t size);

/**
 * TRANSPOSE: output dimension i is input dimension perm[i] (perm has input_shape->rank
 * entries, a permutation of 0..rank-1). Not in place (output must not overlap input).
 */
te_status te_transpose_s8(const int8_t *input, const te_shape *input_shape, const int32_t *perm,
                          int8_t *output);

/**
 * STRIDED_SLICE with every mask already resolved (by the code generator, as TFLite's
 * StridedSlice does) into a plain begin, end and stride per input dimension: along axis d
 * the kernel takes indices begin[d], begin[d]+stride[d], ... while they are < end[d]
 * (stride > 0) or > end[d] (stride < 0). shrink_axis_mask only drops output dimensions
 * of extent 1 and so does not change the output bytes. Not in place.
 */
typedef struct {
    int32_t begin[TE_MAX_DIMS];
    int32_t end[TE_MAX_DIMS];
    int32_t stride[TE_MAX_DIMS];
} te_strided_slice_params;

te_status te_strided_slice_s8(const int8_t *input, const te_shape *input_shape,
                              const te_strided_slice_params *params, int8_t *output);

/**
 * PAD / PADV2: before[d] and after[d] elements of pad_value around input dimension d.
 * PAD fills with the output zero point (TFLite's quantized zero), PADV2 with its quantized
 * constant. Not in place.
 */
typedef struct {
    int32_t before[TE_MAX_DIMS];
    int32_t after[TE_MAX_DIMS];
    int32_t pad_value;
} te_pad_params;

te_status te_pad_s8(const int8_t *input, const te_shape *input_shape, const te_pad_params *params,
                    int8_t *output);

/**
 * Requantization of one CONCATENATION input whose scale or zero point differ from the output's.
 * TFLite's int8 CONCATENATION requires equal quantization; the converter inserts a QUANTIZE
 * (int8 -> int8) in front of such an input, and the code generator folds it in here with the
 * same arithmetic as TFLite's Requantize: (q + input_offset) scaled by
 * QuantizeMultiplier(input_scale / output_scale), plus output_offset, saturated to int8.
 * identity = 1 marks an input that is copied unchanged (the other fields are then ignored).
 */
typedef struct {
    int32_t identity;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    int32_t multiplier;
    int32_t shift;
} te_concat_quant;

/**
 * CONCATENATION along one axis. outer_size is the product of the dimensions before the
 * axis, inner_size the product after it; input i has axis_sizes[i] entries along the axis.
 * quant is NULL when every input shares the output's quantization (TFLite's int8 kernel
 * requires it), or an array of num_inputs entries. Not in place.
 */
te_status te_concatenation_s8(const int8_t *const *inputs, const int32_t *axis_sizes, int32_t num_inputs,
                              int32_t outer_size, int32_t inner_size, const te_concat_quant *quant,
                              int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_RESHAPE_H */
