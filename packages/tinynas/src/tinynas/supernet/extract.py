"""Extract a sub-network: its netspec and a state dict for part 1's ``TinyNet``."""

from __future__ import annotations

import torch

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.supernet.arch import SubnetArch, to_netspec
from tinynas.supernet.network import ConvBNAct, Supernet


def _conv_bn(prefix: str, layer: ConvBNAct, weight: torch.Tensor, channels: int) -> dict[str, torch.Tensor]:
    bn = layer.bn
    return {
        f"{prefix}.conv.weight": weight,
        f"{prefix}.bn.weight": bn.weight[:channels],
        f"{prefix}.bn.bias": bn.bias[:channels],
        f"{prefix}.bn.running_mean": bn.running_mean[:channels],
        f"{prefix}.bn.running_var": bn.running_var[:channels],
        f"{prefix}.bn.num_batches_tracked": bn.num_batches_tracked,
    }


@torch.no_grad()
def extract_subnet(net: Supernet, arch: SubnetArch, name: str | None = None) -> tuple[NetSpec, dict]:
    """The netspec of ``arch`` and standalone weights (``TinyNet(spec).load_state_dict`` strict)."""
    cfg = net.cfg
    spec = to_netspec(cfg, arch, name)
    sd: dict[str, torch.Tensor] = {}
    sd.update(_conv_bn("stem", net.stem, net.stem.conv.weight, cfg.stem_channels))
    first = net.blocks[0]
    sd.update(_conv_bn("blocks.0.depthwise", first.depthwise, first.depthwise.conv.kernel_weight(3),
                       cfg.stem_channels))
    sd.update(_conv_bn("blocks.0.project", first.project, first.project.conv.weight,
                       cfg.first_block_channels))
    for j, i in enumerate(arch.active_slots(cfg), start=1):
        block = net.blocks[i + 1]
        hidden = block.cin * arch.expands[i]
        sd.update(_conv_bn(f"blocks.{j}.expand", block.expand,
                           block.expand.conv.weight[:hidden, : block.cin], hidden))
        sd.update(_conv_bn(f"blocks.{j}.depthwise", block.depthwise,
                           block.depthwise.conv.kernel_weight(arch.kernels[i], hidden), hidden))
        sd.update(_conv_bn(f"blocks.{j}.project", block.project,
                           block.project.conv.weight[:, :hidden], block.cout))
    sd["classifier.weight"] = net.classifier.weight
    sd["classifier.bias"] = net.classifier.bias
    return spec, {k: v.detach().clone().contiguous() for k, v in sd.items()}
