"""TFLite frontend: real models decode into the graph IR; bad files get one clear error."""

from __future__ import annotations

import numpy as np
import pytest

from tinyengine_codegen.errors import InputError
from tinyengine_codegen.frontend.tflite_options import snake_case
from tinyengine_codegen.frontend.tflite_reader import (
    SUPPORTED_OPS,
    TFLiteFormatError,
    load_tflite,
    read_tflite,
)

MODELS = ["mcunet_vww", "person_detect", "micro_speech", "hello_world_int8", "mnist_lenet_300_100"]
# TF 2.21's interpreter refuses person_detect (its 1-D biases say quantized_dimension 3):
# it is compared with known facts below instead.
TF_LOADABLE = [m for m in MODELS if m != "person_detect"]


@pytest.mark.parametrize("name", TF_LOADABLE)
def test_every_shared_model_loads_and_matches_the_tflite_interpreter(shared_models, name):
    tf = pytest.importorskip("tensorflow")
    path = shared_models / f"{name}.tflite"
    graph = load_tflite(path)
    interp = tf.lite.Interpreter(model_path=str(path))
    details = {d["index"]: d for d in interp.get_tensor_details()}
    assert len(graph.tensors) == len(details)
    assert graph.inputs == [d["index"] for d in interp.get_input_details()]
    assert graph.outputs == [d["index"] for d in interp.get_output_details()]
    for index, tensor in enumerate(graph.tensors):
        ref = details[index]
        assert tensor.shape == tuple(ref["shape"]), tensor.name
        assert tensor.dtype == np.dtype(ref["dtype"]).name
        qp = ref["quantization_parameters"]
        if tensor.quant is None:
            assert len(qp["scales"]) == 0
        else:
            np.testing.assert_allclose(tensor.quant.scale, qp["scales"], rtol=1e-7)
            assert tensor.quant.zero_point == list(qp["zero_points"])
            assert tensor.quant.axis == qp["quantized_dimension"]
    assert all(op.kind in SUPPORTED_OPS for op in graph.operators)


def test_constants_options_and_per_channel_quantization(shared_models):
    graph = load_tflite(shared_models / "person_detect.tflite")
    assert graph.tensors[graph.inputs[0]].shape == (1, 96, 96, 1)
    assert graph.tensors[graph.outputs[0]].shape == (1, 2)
    assert [op.kind for op in graph.operators].count("CONV_2D") == 14
    first = graph.operators[0]
    assert first.kind == "DEPTHWISE_CONV_2D"
    assert first.options["depth_multiplier"] == 8
    assert first.options["padding"] == "SAME"
    assert (first.options["stride_h"], first.options["stride_w"]) == (2, 2)
    assert first.options["fused_activation"] == "RELU6"
    weights = graph.tensors[first.inputs[1]]
    assert weights.is_const and weights.data.dtype == np.int8
    assert weights.shape == (1, 3, 3, 8) and weights.data.shape == (1, 3, 3, 8)
    assert weights.quant.per_channel and weights.quant.axis == 3 and len(weights.quant.scale) == 8
    bias = graph.tensors[first.inputs[2]]
    assert bias.dtype == "int32" and bias.data.shape == (8,)
    assert bias.quant.per_channel and bias.quant.axis == 0  # the file says 3 on a 1-D tensor
    pool = next(op for op in graph.operators if op.kind == "AVERAGE_POOL_2D")
    assert (pool.options["filter_height"], pool.options["filter_width"]) == (3, 3)
    mean = next(op for op in load_tflite(shared_models / "mcunet_vww.tflite").operators if op.kind == "MEAN")
    assert mean.options == {"keep_dims": False}
    reshape = load_tflite(shared_models / "micro_speech.tflite").operators[0]
    assert reshape.options["new_shape"] == [-1, 49, 40, 1]


def test_constant_values_match_the_interpreter(shared_models):
    tf = pytest.importorskip("tensorflow")
    path = shared_models / "mcunet_vww.tflite"
    graph = load_tflite(path)
    interp = tf.lite.Interpreter(model_path=str(path))
    interp.allocate_tensors()
    consts = [i for i, t in enumerate(graph.tensors) if t.is_const]
    assert len(consts) > 90
    for i in consts:
        np.testing.assert_array_equal(graph.tensors[i].data, interp.get_tensor(i))


def test_snake_case_keeps_tflite_names():
    assert snake_case("DilationWFactor") == "dilation_w_factor"
    assert snake_case("StrideH") == "stride_h"
    assert snake_case("KeepDims") == "keep_dims"
    assert snake_case("AlignCorners") == "align_corners"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x1c\x00\x00\x00XXXXsomething else entirely", "not a TFLite model"),
        (b"\x1c\x00\x00\x00TFL3\xff\xff\xff\x7f" + b"\x00" * 8, "corrupt TFLite flatbuffer"),
    ],
)
def test_bad_files_get_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.tflite"
    path.write_bytes(content)
    with pytest.raises(TFLiteFormatError, match=message) as info:
        read_tflite(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_truncated_real_model_is_corrupt_not_a_crash(shared_models, tmp_path):
    data = (shared_models / "person_detect.tflite").read_bytes()
    path = tmp_path / "truncated.tflite"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="truncated.tflite"):
        load_tflite(path)


def test_missing_file(tmp_path):
    with pytest.raises(TFLiteFormatError, match="no such file"):
        read_tflite(tmp_path / "nope.tflite")
