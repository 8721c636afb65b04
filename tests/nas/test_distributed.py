"""`tinynas supernet train` under torchrun (2 CPU processes, gloo) equals one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from nas_nets import tiny_space

from tinynas.supernet import Supernet

TINYNAS = Path(sys.executable).with_name("tinynas")
CFG = tiny_space(16, [(8, 2, (1, 2)), (16, 2, (1, 2)), (16, 1, (1, 2))])


def _train(cmd: list[str], out: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    args = ["supernet", "train", "--space", str(out.parent / "space.json"), "--data", "builtin:fashion-mnist",
            "--epochs", "2", "--steps-per-epoch", "3", "--batch-size", "16", "--train-subset", "96",
            "--val-subset", "32", "--json", "-o", str(out)]
    result = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout[result.stdout.index("{"):])


def test_two_processes_train_the_same_supernet_as_one(tmp_path: Path) -> None:
    doc = {"format": "tinynas-space/1", "best": {"width": 0.25, "resolution": 16, "config": CFG.to_dict()}}
    (tmp_path / "space.json").write_text(json.dumps(doc))
    one = _train([str(TINYNAS)], tmp_path / "one.pt")
    two = _train([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                  str(TINYNAS)], tmp_path / "two.pt")
    assert (one["processes"], two["processes"]) == (1, 2)
    assert one["steps"] == two["steps"] == 6
    a = torch.load(tmp_path / "one.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "two.pt", weights_only=True)["state_dict"]
    assert a.keys() == b.keys()
    for name in a:
        assert torch.allclose(a[name].double(), b[name].double(), rtol=1e-4, atol=1e-5), name
    torch.manual_seed(0)
    initial = Supernet(CFG).state_dict()
    moved = [n for n in a if a[n].is_floating_point() and not torch.allclose(a[n], initial[n])]
    assert len(moved) > len(a) // 2  # training really changed the weights
