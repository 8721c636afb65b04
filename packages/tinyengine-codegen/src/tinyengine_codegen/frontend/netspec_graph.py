"""netspec -> graph IR, shapes only: the operator sequence of the netspec's int8 TFLite export.

``CONV_2D`` (stem) / per block ``[CONV_2D 1x1] DEPTHWISE_CONV_2D CONV_2D 1x1 [ADD]`` /
``[CONV_2D 1x1]`` ``MEAN`` ``FULLY_CONNECTED`` (docs/formats.md), int8 activations, SAME
padding, ReLU6 fused where the netspec has it. Weights and biases are constant tensors with
their shapes (OHWI, 1HWC, OI; int32 biases) and ``data=None``.

:func:`netspec_layers` is the single description of that sequence; :func:`netspec_to_graph`
turns it into a graph, and the profiler's netspec fast path reads it directly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tinyengine_codegen.frontend.netspec import NetSpec
from tinyengine_codegen.ir.graph import Graph, Operator, Tensor

MEAN_AXES = np.array([1, 2], dtype=np.int32)


class Layer(NamedTuple):
    """One operator of a netspec network.

    ``inputs`` are activation ids: 0 is the network input, ``i + 1`` the output of layer ``i``.
    ``weights`` is the weight shape (OHWI, 1HWC or OI) or None; convolutions have an int32 bias
    of ``out_shape[-1]`` values; MEAN has a 2-element int32 axes constant.
    """

    kind: str
    name: str
    inputs: tuple[int, ...]
    out_shape: tuple[int, ...]
    weights: tuple[int, ...] | None = None
    stride: int = 1
    act: bool = False


def _conv(layers: list[Layer], x: int, shape: tuple, name: str, out_c: int, k: int, s: int, act: bool) -> int:
    _, h, w, c = shape
    layers.append(Layer("CONV_2D", name, (x,), (1, -(-h // s), -(-w // s), out_c), (out_c, k, k, c), s, act))
    return len(layers)


def netspec_layers(spec: NetSpec) -> list[Layer]:
    """The netspec's operators in execution order (docs/formats.md)."""
    layers: list[Layer] = []
    h, w = spec.resolution
    shapes = [(1, h, w, spec.in_channels)]
    x = _conv(layers, 0, shapes[0], "stem", spec.stem_channels, spec.stem_kernel_size, spec.stem_stride, True)
    shapes.append(layers[-1].out_shape)
    channels = spec.stem_channels
    for i, block in enumerate(spec.blocks):
        residual = x
        if block.expand_ratio != 1:
            x = _conv(layers, x, shapes[x], f"blocks.{i}.expand", channels * block.expand_ratio, 1, 1, True)
            shapes.append(layers[-1].out_shape)
        _, bh, bw, bc = shapes[x]
        k, s = block.kernel_size, block.stride
        layers.append(
            Layer(
                "DEPTHWISE_CONV_2D",
                f"blocks.{i}.depthwise",
                (x,),
                (1, -(-bh // s), -(-bw // s), bc),
                (1, k, k, bc),
                s,
                True,
            )
        )
        shapes.append(layers[-1].out_shape)
        x = _conv(layers, len(layers), shapes[-1], f"blocks.{i}.project", block.out_channels, 1, 1, False)
        shapes.append(layers[-1].out_shape)
        if block.stride == 1 and channels == block.out_channels:
            layers.append(Layer("ADD", f"blocks.{i}.add", (residual, x), shapes[x]))
            shapes.append(shapes[x])
            x = len(layers)
        channels = block.out_channels
    if spec.mix_channels:
        x = _conv(layers, x, shapes[x], "mix", spec.mix_channels, 1, 1, True)
        shapes.append(layers[-1].out_shape)
        channels = spec.mix_channels
    layers.append(Layer("MEAN", "pool", (x,), (1, channels)))
    layers.append(
        Layer(
            "FULLY_CONNECTED",
            "classifier",
            (len(layers),),
            (1, spec.num_classes),
            (spec.num_classes, channels),
        )
    )
    return layers


def netspec_to_graph(spec: NetSpec) -> Graph:
    """The shapes-only graph of a netspec (what its int8 TFLite export contains)."""
    layers = netspec_layers(spec)
    h, w = spec.resolution
    tensors = [Tensor("input", (1, h, w, spec.in_channels))]
    activation = [0]  # layer-level id -> tensor index
    operators = []
    for layer in layers:
        inputs = [activation[i] for i in layer.inputs]
        options: dict = {}
        if layer.weights is not None:
            tensors.append(Tensor(f"{layer.name}/weights", layer.weights, is_const=True))
            tensors.append(Tensor(f"{layer.name}/bias", (layer.out_shape[-1],), "int32", is_const=True))
            inputs += [len(tensors) - 2, len(tensors) - 1]
            options["fused_activation"] = "RELU6" if layer.act else "NONE"
        if layer.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            options.update(padding="SAME", stride_h=layer.stride, stride_w=layer.stride)
            options.update(dilation_h_factor=1, dilation_w_factor=1)
            if layer.kind == "DEPTHWISE_CONV_2D":
                options["depth_multiplier"] = 1
        elif layer.kind == "ADD":
            options["fused_activation"] = "NONE"
        elif layer.kind == "MEAN":
            tensors.append(Tensor("pool/axes", (2,), "int32", data=MEAN_AXES, is_const=True))
            inputs.append(len(tensors) - 1)
            options["keep_dims"] = False
        elif layer.kind == "FULLY_CONNECTED":
            options["keep_num_dims"] = False
        tensors.append(Tensor(layer.name, layer.out_shape))
        activation.append(len(tensors) - 1)
        operators.append(Operator(layer.kind, inputs, [activation[-1]], options, layer.name))
    return Graph(
        tensors=tensors,
        operators=operators,
        inputs=[0],
        outputs=[activation[-1]],
        name=spec.name,
        source="netspec",
        metadata={"format": "netspec/1"},
    )
