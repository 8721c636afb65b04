"""Supernet: sub-networks extracted as netspec + weights compute what the supernet computes."""

from __future__ import annotations

import random

import pytest
import torch
from nas_nets import tiny_space

from tinyengine_codegen.frontend.netspec import netspec_to_dict, parse_netspec
from tinynas.model import build_model
from tinynas.supernet import SupernetConfig, extract_subnet, largest, sample, smallest, to_netspec
from tinynas.supernet.config import SpaceError, StageConfig
from tinynas.supernet.network import Supernet
from tinynas.supernet.sorting import sort_channels
from tinynas.supernet.space import config_from_space, mcunet_space

CFG = tiny_space(20, [(16, 2, (1, 2)), (24, 2, (1, 2, 3)), (24, 1, (1, 2))], name="supernet")


def _randomised(cfg: SupernetConfig) -> Supernet:
    """A supernet whose batch norms and kernel transforms are not at their initial values."""
    torch.manual_seed(0)
    net = Supernet(cfg)
    with torch.no_grad():
        for bn in net.batch_norms():
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.2, 0.2)
            bn.running_mean.uniform_(-0.1, 0.1)
            bn.running_var.uniform_(0.5, 2.0)
        for name, p in net.named_parameters():
            if "transforms" in name:
                p.add_(0.05 * torch.randn_like(p))
    return net.eval()


def test_extracted_subnets_equal_the_supernet() -> None:
    net = _randomised(CFG)
    x = torch.randn(3, 1, 20, 20)
    rng = random.Random(1)
    for arch in [largest(CFG), smallest(CFG), *(sample(CFG, rng) for _ in range(6))]:
        net.set_active(arch)
        spec, weights = extract_subnet(net, arch)
        parse_netspec(netspec_to_dict(spec))  # a valid netspec/1 document
        model = build_model(spec)
        model.load_state_dict(weights, strict=True)
        model.eval()
        with torch.no_grad():
            assert torch.equal(model(x), net(x))


def test_subnet_depth_kernel_and_expand_reach_the_netspec() -> None:
    arch = sample(CFG, random.Random(3))
    spec = to_netspec(CFG, arch)
    active = arch.active_slots(CFG)
    assert len(spec.blocks) == 1 + sum(arch.depths) == 1 + len(active)
    for block, slot in zip(spec.blocks[1:], active, strict=True):
        assert block.kernel_size == arch.kernels[slot]
        assert block.expand_ratio == arch.expands[slot]
    assert [b.stride for b in to_netspec(CFG, largest(CFG)).blocks] == [1, 2, 1, 2, 1, 1, 1, 1]


def test_smaller_kernels_are_the_transformed_centre() -> None:
    net = Supernet(CFG)
    dw = net.blocks[1].depthwise.conv
    assert torch.equal(dw.kernel_weight(5), dw.weight[:, :, 1:6, 1:6])  # identity transform at start
    with torch.no_grad():
        dw.transforms["7to5"].copy_(2 * torch.eye(25))
    assert torch.allclose(dw.kernel_weight(3), 2 * dw.weight[:, :, 2:5, 2:5])


def test_sorting_keeps_the_largest_network_and_orders_channels() -> None:
    net = _randomised(CFG)
    x = torch.randn(2, 1, 20, 20)
    with torch.no_grad():
        before = net(x)
        sort_channels(net)
        assert torch.allclose(net(x), before, atol=1e-5)
    importance = net.blocks[2].project.conv.weight.abs().sum(dim=(0, 2, 3))
    assert torch.all(importance[:-1] >= importance[1:])


def test_mcunet_space_channels_and_space_file(tmp_path) -> None:  # noqa: ANN001
    cfg = mcunet_space(0.5, 160, 3, 1000)
    assert cfg.stem_channels == 16 and [s.out_channels for s in cfg.stages] == [16, 24, 40, 48, 96, 160]
    path = tmp_path / "space.json"
    path.write_text('{"format": "tinynas-space/1", "best": {"width": 0.5, "resolution": 96}}')
    assert config_from_space(path, 1, 10).resolution == 96
    path.write_text('{"format": "other/1"}')
    with pytest.raises(SpaceError.__mro__[1], match="unknown format"):
        config_from_space(path, 1, 10)


def test_bad_space_is_refused() -> None:
    with pytest.raises(SpaceError, match="kernel_sizes"):
        SupernetConfig(20, 1, 10, 8, 8, (StageConfig(16, 2, (1,)),), kernel_sizes=(4,))


def test_interrupted_training_resumes_to_the_same_weights(tmp_path) -> None:  # noqa: ANN001
    from tinynas.data import load_data
    from tinynas.supernet.distributed import Dist
    from tinynas.supernet.run import train_supernet
    from tinynas.supernet.train import SupernetTrainer, TrainOptions

    splits = load_data("builtin:fashion-mnist", (20, 20), 1, train_subset=128, val_subset=32)
    opts = TrainOptions(epochs=2, batch_size=32, steps_per_epoch=2, val_batches=1)
    straight = train_supernet(CFG, splits, opts, tmp_path / "straight.pt", progress=False)

    torch.manual_seed(opts.seed)  # as train_supernet does, then stop after the first epoch
    first = SupernetTrainer(Supernet(CFG), splits.train, splits.val, opts, Dist())
    first.run_epoch()
    first.save(tmp_path / "resumed.pt")
    resumed = train_supernet(CFG, splits, opts, tmp_path / "resumed.pt", progress=False)

    assert resumed["resumed_from_epoch"] == 1 and resumed["steps"] == straight["steps"] == 4
    a = torch.load(tmp_path / "straight.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "resumed.pt", weights_only=True)["state_dict"]
    for name in a:
        assert torch.equal(a[name], b[name]), name
