"""Memory planner: sound plans (independent validator) on real models and random netspecs,
in-place operators that save memory, and execution orders that lower a branched graph's peak."""

from __future__ import annotations

import random

import pytest

from tinyengine_codegen.frontend.netspec import Block, NetSpec
from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.ir.graph import Graph, Operator, Tensor
from tinyengine_codegen.memory import check_plan, plan_memory, validate_plan
from tinyengine_codegen.passes import run_passes

MODELS = ["mcunet_vww", "person_detect", "micro_speech", "hello_world_int8", "mnist_lenet_300_100"]


def _planned(path):
    graph = run_passes(load_tflite(path))
    return graph, plan_memory(graph)


@pytest.mark.parametrize("name", MODELS)
def test_plan_of_every_shared_model_passes_the_validator(shared_models, name):
    graph, plan = _planned(shared_models / f"{name}.tflite")
    check_plan(graph, plan)
    assert plan.arena_bytes >= plan.lower_bound == max(plan.live_bytes)
    assert sorted(plan.schedule) == list(range(len(graph.operators)))


def test_mcunet_vww_peak_is_below_tinyengine_and_tflm(shared_models):
    graph, plan = _planned(shared_models / "mcunet_vww.tflite")
    assert plan.arena_bytes < 92 * 1024  # TinyEngine's published peak SRAM for mcunet-vww1
    assert plan.arena_bytes < 219.7 * 1024 / 2  # TF Lite Micro needs 219.7 kB
    quantize = next(i for i, op in enumerate(graph.operators) if op.kind == "QUANTIZE")
    assert quantize in plan.inplace  # the 76.8 kB float input does not outlive its quantization


def test_validator_catches_overlapping_live_buffers(shared_models):
    graph, plan = _planned(shared_models / "person_detect.tflite")
    conv = next(i for i, op in enumerate(graph.operators) if op.kind == "CONV_2D")
    src, dst = graph.operators[conv].inputs[0], graph.operators[conv].outputs[0]
    plan.offsets[dst] = plan.offsets[src]  # a conv writing over the input it is still reading
    problems = validate_plan(graph, plan)
    assert any(f"tensor {src}" in p and f"tensor {dst}" in p for p in problems)


def test_validator_catches_an_undeclared_inplace_and_a_buffer_outside_the_arena(shared_models):
    graph, plan = _planned(shared_models / "mcunet_vww.tflite")
    depthwise = next(i for i in plan.inplace if graph.operators[i].kind == "DEPTHWISE_CONV_2D")
    del plan.inplace[depthwise]
    assert validate_plan(graph, plan)
    graph, plan = _planned(shared_models / "mcunet_vww.tflite")
    plan.arena_bytes -= 4
    assert any("outside the arena" in p for p in validate_plan(graph, plan))


def test_inplace_depthwise_saves_memory(shared_models):
    graph, plan = _planned(shared_models / "mcunet_vww.tflite")
    for op in graph.operators:
        if op.kind == "DEPTHWISE_CONV_2D":
            op.inplace = False
    without = plan_memory(graph)
    check_plan(graph, without)
    assert not any(graph.operators[i].kind == "DEPTHWISE_CONV_2D" for i in without.inplace)
    assert without.arena_bytes > 92 * 1024 > plan.arena_bytes  # in place is what beats TinyEngine


def test_inplace_candidate_whose_input_lives_on_is_not_run_in_place():
    # x -> DEPTHWISE (in-place capable) -> y; ADD(x, y): x is still needed after the depthwise.
    tensors = [
        Tensor("x", (1, 8, 8, 4)),
        Tensor("w", (1, 3, 3, 4), is_const=True),
        Tensor("y", (1, 8, 8, 4)),
        Tensor("z", (1, 8, 8, 4)),
    ]
    dw = Operator("DEPTHWISE_CONV_2D", [0, 1], [2], {"padding": "SAME"}, inplace=True, scratch_bytes=100)
    add = Operator("ADD", [0, 2], [3], inplace=True)
    graph = Graph(tensors, [dw, add], inputs=[0], outputs=[3])
    plan = plan_memory(graph)
    check_plan(graph, plan)
    assert 0 not in plan.inplace and plan.inplace.get(1) in (0, 2)
    assert plan.arena_bytes == 2 * 256 + 100 + 0  # x, y and the scratch; z reuses x or y


def _branched_graph() -> Graph:
    """Two branches from one input, each a big tensor then a small one, joined by an ADD."""
    tensors = [Tensor("in", (1, 16, 16, 4))]
    ops = []

    def conv(src: int, channels: int, name: str) -> int:
        tensors.append(Tensor(f"{name}/w", (channels, 1, 1, tensors[src].shape[-1]), is_const=True))
        tensors.append(Tensor(name, (1, 16, 16, channels)))
        ops.append(Operator("CONV_2D", [src, len(tensors) - 2], [len(tensors) - 1], {"padding": "VALID"}))
        return len(tensors) - 1

    a1, b1 = conv(0, 64, "a1"), conv(0, 64, "b1")  # the naive order computes both big tensors first
    a2, b2 = conv(a1, 4, "a2"), conv(b1, 4, "b2")
    tensors.append(Tensor("sum", (1, 16, 16, 4)))
    ops.append(Operator("ADD", [a2, b2], [len(tensors) - 1]))
    return Graph(tensors, ops, inputs=[0], outputs=[len(tensors) - 1])


def test_branched_graph_gets_an_order_with_a_lower_peak():
    graph = _branched_graph()
    given = plan_memory(graph, schedule=list(range(len(graph.operators))))
    searched = plan_memory(graph)
    check_plan(graph, given)
    check_plan(graph, searched)
    assert searched.schedule != given.schedule
    assert searched.arena_bytes < given.arena_bytes
    assert given.arena_bytes >= 1024 + 2 * 16384  # input + both 16 kB tensors at once
    assert searched.arena_bytes <= 1024 + 16384 + 2 * 1024


def _random_netspec(rng: random.Random) -> NetSpec:
    channels = rng.choice([8, 16, 24])
    blocks = []
    for _ in range(rng.randint(1, 8)):
        out = rng.choice([channels, channels, 16, 24, 32, 40])
        blocks.append(Block(rng.choice([1, 3, 4, 6]), rng.choice([3, 5, 7]), rng.choice([1, 1, 2]), out))
        channels = out
    return NetSpec(
        name="random",
        resolution=(rng.choice([32, 48, 64, 80, 96]),) * 2,
        in_channels=rng.choice([1, 3]),
        stem_channels=rng.choice([8, 16, 24]),
        blocks=tuple(blocks),
        num_classes=rng.choice([2, 10, 100]),
        mix_channels=rng.choice([None, 64]),
    )


@pytest.mark.parametrize("seed", range(30))
def test_random_netspec_plans_pass_the_validator(seed):
    graph = run_passes(netspec_to_graph(_random_netspec(random.Random(seed))))
    plan = plan_memory(graph)
    check_plan(graph, plan)
    assert plan.lower_bound <= plan.arena_bytes


def _random_dag(rng: random.Random) -> Graph:
    """A random branched graph: convs, in-place-capable ADDs and depthwise, views, scratch."""
    tensors = [Tensor("in", (1, 8, 8, rng.choice([4, 8])))]
    live = [0]
    ops = []
    for k in range(rng.randint(2, 9)):
        kind = rng.choice(["CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "RESHAPE"])
        src = rng.choice(live)
        shape = tensors[src].shape
        if kind == "ADD":
            same = [t for t in live if tensors[t].shape == shape and t != src]
            if not same:
                continue
            inputs = [src, rng.choice(same)]
            out_shape = shape
        elif kind == "RESHAPE":
            inputs, out_shape = [src], (1, shape[1] * shape[2], shape[3]) if len(shape) == 4 else shape
            if len(shape) != 4:
                continue
        else:
            if len(shape) != 4:
                continue
            out_c = shape[3] if kind == "DEPTHWISE_CONV_2D" else rng.choice([4, 8, 16])
            inputs, out_shape = [src], (1, shape[1], shape[2], out_c)
        tensors.append(Tensor(f"t{k}", out_shape))
        ops.append(
            Operator(
                kind,
                inputs,
                [len(tensors) - 1],
                {"view": True} if kind == "RESHAPE" else {},
                inplace=kind in ("ADD", "DEPTHWISE_CONV_2D") and rng.random() < 0.8,
                scratch_bytes=rng.choice([0, 0, 36, 100]) if kind != "RESHAPE" else 0,
            )
        )
        live.append(len(tensors) - 1)
    outputs = [t for t in live if t != 0 and not any(t in op.inputs for op in ops)] or [live[-1]]
    return Graph(tensors, ops, inputs=[0], outputs=outputs)


@pytest.mark.parametrize("seed", range(60))
def test_random_branched_graphs_get_sound_plans(seed):
    graph = _random_dag(random.Random(seed))
    searched = plan_memory(graph)
    check_plan(graph, searched)
    given = plan_memory(graph, schedule=list(range(len(graph.operators))))
    check_plan(graph, given)
    assert searched.lower_bound <= given.lower_bound
