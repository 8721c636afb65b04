"""Torch model from a netspec: TF SAME padding, residuals, BN folding, MACs and parameters."""

import pytest
import torch
from nas_nets import mbconv_doc
from torch import nn

from tinyengine_codegen.frontend.netspec import parse_netspec
from tinyengine_codegen.profile import profile_netspec
from tinynas.model import SameConv2d, build_model, fold_bn, model_cost, netspec_cost, same_pads
from tinynas.zoo import load_zoo

SMALL = mbconv_doc("small", 29, 1, [(1, 3, 1, 8), (4, 7, 2, 16), (3, 5, 1, 16)], num_classes=7,
                   mix_channels=32)


@pytest.mark.parametrize(("size", "k", "s", "pads"), [
    (48, 3, 2, (0, 1)), (7, 3, 2, (1, 1)), (8, 7, 2, (2, 3)), (9, 5, 1, (2, 2)), (6, 1, 2, (0, 0)),
])
def test_same_pads_match_tensorflow_rule(size, k, s, pads):
    assert same_pads(size, k, s) == pads


def test_same_conv_pads_bottom_right_at_stride_2():
    conv = SameConv2d(1, 1, 3, stride=2)
    nn.init.zeros_(conv.weight)
    with torch.no_grad():
        conv.weight[0, 0, 0, 0] = 1.0  # output(i, j) = input(2i - top, 2j - left)
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    # TF pads 0 at the top/left and 1 at the bottom/right: output(0, 0) is input(0, 0).
    assert conv(x)[0, 0].tolist() == [[0.0, 2.0], [8.0, 10.0]]


def test_model_runs_and_residual_only_where_the_netspec_says():
    spec = parse_netspec(SMALL)
    model = build_model(spec)
    assert model(torch.randn(2, 1, 29, 29)).shape == (2, 7)
    residual = [b.residual for b in model.blocks]
    assert residual == [spec.is_residual(i) for i in range(3)] == [True, False, True]
    assert model.blocks[0].expand is None and model.blocks[1].expand is not None


@pytest.mark.parametrize("name", ["mcunet-in1", "mbv2-w0.35"])
def test_measured_macs_and_params_equal_the_netspec_analysis(name):
    spec = load_zoo(name)
    assert model_cost(build_model(spec)) == netspec_cost(spec)


def test_small_netspec_cost_counts_every_layer():
    spec = parse_netspec(SMALL)
    cost = netspec_cost(spec)
    assert cost == model_cost(build_model(spec))
    # 29 -> 15 (stem) -> 8 (block 1): count the stem and the classifier by hand.
    stem = 15 * 15 * 8 * 9 * 1
    fc = 32 * 7
    assert cost.macs > stem + fc and cost.params > 32 * 7 + 7


def test_folded_bn_computes_what_conv_bn_computes():
    torch.manual_seed(0)
    spec = parse_netspec(SMALL)
    model = build_model(spec)
    layer = model.blocks[1].depthwise
    layer.bn.running_mean.uniform_(-1, 1)
    layer.bn.running_var.uniform_(0.5, 2)
    layer.bn.weight.data.uniform_(0.5, 1.5)
    layer.bn.bias.data.uniform_(-1, 1)
    layer.eval()
    x = torch.randn(1, 32, 15, 15)
    weight, bias = fold_bn(layer)
    folded = SameConv2d(32, 32, 7, 2, groups=32, bias=True)
    folded.weight.data, folded.bias.data = weight, bias
    with torch.no_grad():
        expected = layer.bn(layer.conv(x))
        assert torch.allclose(folded(x), expected, atol=1e-5)


@pytest.mark.parametrize("name", [*(f"mcunet-in{i}" for i in range(5)), "mbv2-w0.35"])
def test_macs_and_params_agree_with_te_gen(name):
    spec = load_zoo(name)
    report = profile_netspec(spec)
    assert (report.macs, report.params) == (netspec_cost(spec).macs, netspec_cost(spec).params)


def test_torch_model_macs_agree_with_te_gen_on_a_netspec_with_every_feature():
    spec = parse_netspec(SMALL)  # odd resolution, kernel 7, mix layer, residuals
    report = profile_netspec(spec)
    assert model_cost(build_model(spec)) == netspec_cost(spec)
    assert (report.macs, report.params) == (netspec_cost(spec).macs, netspec_cost(spec).params)
