"""te-gen verify on int8 models built here with TensorFlow's converter, covering the operators and
kernel variants that the shared models do not use (generic convolution, pools, concatenation,
activations, broadcasting, slicing, resize, float boundaries...)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from tinyengine_codegen.backend.build import compile_model  # noqa: E402
from tinyengine_codegen.backend.verify import verify_model  # noqa: E402

RNG = np.random.default_rng(0)


def _weights(*shape: int, std: float = 0.2) -> tf.Tensor:
    return tf.constant(RNG.normal(0, std, shape).astype(np.float32))


W1, W2, B2 = _weights(3, 3, 3, 8, std=0.3), _weights(5, 5, 8, 16, std=0.1), _weights(16, std=0.1)
W3, DW, FC = _weights(1, 1, 32, 12), _weights(3, 3, 12, 1, std=0.3), _weights(12, 10)
W4, W5, FC2 = _weights(3, 3, 3, 16, std=0.3), _weights(1, 1, 16, 24), _weights(24 * 4 * 4, 6, std=0.05)


def branches(x):
    """Stem, generic 5x5/2 conv, pools, concatenation, 1x1/2, sigmoid, leaky ReLU, MUL, MEAN,
    SUB with broadcast, an unfoldable PAD, resize, strided slices (masks, negative strides),
    dilated depthwise, FC, softmax."""
    c1 = tf.nn.relu6(tf.nn.conv2d(x, W1, 1, "SAME"))
    c2 = tf.nn.relu(tf.nn.conv2d(c1, W2, 2, "SAME") + B2)
    cat = tf.concat([tf.nn.max_pool2d(c1, 2, 2, "VALID"), tf.nn.avg_pool2d(c1, 3, 2, "SAME"), c2], axis=-1)
    p = tf.nn.conv2d(cat, W3, 2, "VALID")
    m = tf.sigmoid(p) * tf.nn.leaky_relu(p, 0.1)
    d = m - tf.reduce_mean(m, axis=[1, 2], keepdims=True)
    pm = tf.nn.max_pool2d(tf.pad(d, [[0, 0], [1, 1], [1, 1], [0, 0]]), 2, 1, "VALID")
    sl = tf.image.resize(pm, [10, 10], method="nearest")[:, 1:9:2, 0:8:2, :][:, ::-1, -1::-1, :]
    dw = tf.nn.relu6(tf.nn.depthwise_conv2d(sl, DW, [1, 1, 1, 1], "SAME", dilations=[2, 2]))
    return tf.nn.softmax(tf.matmul(tf.reduce_mean(dw, axis=[1, 2]), FC))


def float_io(x):
    """Float input and output (QUANTIZE, DEQUANTIZE), 3x3/2 VALID stem, hard swish, 1x1 conv,
    ADD with broadcast, reshape, FC, LOG_SOFTMAX on int8."""
    c = tf.nn.conv2d(x, W4, 2, "VALID")
    h = c * tf.nn.relu6(c + 3.0) / 6.0
    p = tf.nn.conv2d(h, W5, 1, "VALID")
    a = p + tf.reduce_mean(p, axis=[1, 2], keepdims=True)  # ADD with broadcast
    flat = tf.reshape(a, [1, 24 * 4 * 4])
    return tf.nn.log_softmax(tf.matmul(flat, FC2))


def _convert(fn, shape, path: Path, int8_io: bool) -> Path:
    func = tf.function(fn, input_signature=[tf.TensorSpec(shape, tf.float32)])
    rng = np.random.default_rng(1)

    def representative():
        for _ in range(32):
            yield [rng.uniform(-1, 1, shape).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([func.get_concrete_function()], func)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if int8_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    path.write_bytes(converter.convert())
    return path


CASES = {
    "branches": (branches, (1, 16, 16, 3), True),
    "float_io": (float_io, (1, 9, 9, 3), False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_converted_model_is_bit_exact(name, tmp_path):
    fn, shape, int8_io = CASES[name]
    model = _convert(fn, shape, tmp_path / f"{name}.tflite", int8_io)
    kernels = {op.kernel for op in compile_model(model).graph.operators}
    report = verify_model(model, cases=4, intermediates=True)
    assert report.passed, (report.mismatches, report.first_difference, sorted(kernels))
    assert report.tensors_compared == len(compile_model(model).graph.operators)
    if name == "branches":
        assert {"te_conv_im2col_s8", "te_conv_s8", "te_conv_1x1_s8", "te_maxpool_s8", "te_avgpool_s8",
                "te_concatenation_s8", "te_logistic_s8", "te_leaky_relu_s8", "te_mul_s8", "te_sub_s8",
                "te_mean_hw_s8", "te_pad_s8", "te_resize_nearest_s8", "te_strided_slice_s8",
                "te_depthwise_conv_s8", "te_softmax_s8"} <= kernels  # fmt: skip
    else:
        expected = {"te_quantize_f32_s8", "te_dequantize_s8_f32", "te_hard_swish_s8", "te_add_s8"}
        assert expected | {"te_log_softmax_s8"} <= kernels, sorted(kernels)
    fc_kernels = {
        "te_fully_connected_s8", "te_fully_connected_per_channel_s8", "te_fully_connected_packed_s8"
    }  # fmt: skip
    assert kernels & fc_kernels
