"""netspec -> graph: the export's operator sequence and shapes, zoo MACs, and the fast profile
path giving exactly what the graph pipeline gives."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from tinyengine_codegen.frontend.netspec import Block, NetSpec, load_netspec
from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.profile import profile_graph, profile_netspec

REPO_ROOT = Path(__file__).resolve().parents[2]
ZOO = sorted((REPO_ROOT / "packages" / "tinynas" / "src" / "tinynas" / "zoo").glob("*.json"))

SPEC = NetSpec(
    name="tiny",
    resolution=(33, 33),
    in_channels=3,
    stem_channels=8,
    blocks=(Block(1, 3, 1, 8), Block(4, 5, 2, 16), Block(3, 7, 1, 16)),
    num_classes=10,
    mix_channels=32,
)


def test_operator_sequence_and_shapes_follow_the_export():
    graph = netspec_to_graph(SPEC)
    kinds = [op.kind for op in graph.operators]
    assert kinds == [
        "CONV_2D",
        "DEPTHWISE_CONV_2D", "CONV_2D", "ADD",
        "CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D",
        "CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "ADD",
        "CONV_2D", "MEAN", "FULLY_CONNECTED",
    ]  # fmt: skip
    shapes = [graph.tensors[op.outputs[0]].shape for op in graph.operators]
    assert shapes[0] == (1, 17, 17, 8)  # SAME, stride 2: ceil(33 / 2)
    assert shapes[4] == (1, 17, 17, 32) and shapes[5] == (1, 9, 9, 32)
    assert shapes[-3:] == [(1, 9, 9, 32), (1, 32), (1, 10)]
    assert graph.tensors[graph.inputs[0]].shape == (1, 33, 33, 3)
    assert graph.outputs == graph.operators[-1].outputs
    depthwise = graph.operators[5]
    weights, bias = (graph.tensors[t] for t in depthwise.inputs[1:])
    assert weights.shape == (1, 5, 5, 32) and weights.is_const and weights.data is None
    assert bias.dtype == "int32" and bias.shape == (32,)
    assert depthwise.options["fused_activation"] == "RELU6" and depthwise.options["stride_h"] == 2
    assert graph.operators[6].options["fused_activation"] == "NONE"  # projection: linear
    assert all(graph.tensors[t].dtype == "int8" for t in graph.activations())


@pytest.mark.parametrize("path", ZOO, ids=[p.stem for p in ZOO])
def test_zoo_macs_match_the_published_figures(path):
    spec = load_netspec(path)
    report = profile_netspec(spec)
    published = spec.metadata["published"]["macs"]
    assert abs(report.macs - published) <= 0.01 * published


def _random_netspec(rng: random.Random) -> NetSpec:
    channels, blocks = 16, []
    for _ in range(rng.randint(1, 12)):
        out = rng.choice([channels, 16, 24, 40])
        blocks.append(Block(rng.choice([1, 3, 4, 5, 6]), rng.choice([3, 5, 7]), rng.choice([1, 2]), out))
        channels = out
    return NetSpec(
        name=f"r{rng.random():.6f}",
        resolution=(rng.choice([40, 48, 64, 96, 112]), rng.choice([40, 48, 64])),
        in_channels=3,
        stem_channels=16,
        blocks=tuple(blocks),
        num_classes=rng.choice([2, 1000]),
        mix_channels=rng.choice([None, 96]),
    )


@pytest.mark.parametrize("seed", range(40))
def test_fast_netspec_profile_equals_the_graph_pipeline(seed):
    spec = _random_netspec(random.Random(seed))
    fast = profile_netspec(spec, sram=128 * 1024, flash=1024 * 1024)
    full = profile_graph(netspec_to_graph(spec), sram=128 * 1024, flash=1024 * 1024)
    assert fast.to_dict() == full.to_dict()
    assert fast.plan.offsets == full.plan.offsets and fast.plan.scratch_offsets == full.plan.scratch_offsets


@pytest.mark.slow
def test_the_priced_netspec_is_what_the_compiler_plans_for_its_int8_export(tmp_path):
    """tinynas's real export path (torch -> Keras -> TFLite int8) compiled by te-gen has the
    arena, peak and MACs that profile_netspec priced."""
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    from tinynas.export import build_keras, convert_int8
    from tinynas.model import build_model

    keras_model = build_keras(build_model(SPEC).eval())
    calibration = np.random.default_rng(0).standard_normal((8, 33, 33, 3)).astype(np.float32)
    path = tmp_path / "tiny.tflite"
    path.write_bytes(convert_int8(keras_model, calibration))
    compiled = profile_graph(load_tflite(path))
    priced = profile_netspec(SPEC)
    assert compiled.arena_bytes == priced.arena_bytes
    assert (compiled.peak_op, compiled.lower_bound, compiled.macs) == (
        priced.peak_op,
        priced.lower_bound,
        priced.macs,
    )
    assert [(r.kind, r.live_bytes, r.scratch_bytes, r.inplace) for r in compiled.ops] == [
        (r.kind, r.live_bytes, r.scratch_bytes, r.inplace) for r in priced.ops
    ]
    assert abs(compiled.weight_bytes - priced.weight_bytes) <= 0.01 * priced.weight_bytes
