"""Training and evaluation: learns, resumes to the same weights, CLI summaries and errors."""

import json

import pytest
import torch
from nas_nets import mbconv_doc
from typer.testing import CliRunner

from tinyengine_codegen.frontend.netspec import dump_netspec, parse_netspec
from tinynas.checkpoint import load_checkpoint
from tinynas.cli import app
from tinynas.data import load_data
from tinynas.errors import InputError
from tinynas.train import TrainConfig, fit

NET = mbconv_doc("fm-tiny", 28, 1, [(1, 3, 1, 8), (3, 3, 2, 16), (3, 5, 1, 16)])
runner = CliRunner()


@pytest.fixture(scope="module")
def splits():
    return load_data("builtin:fashion-mnist", (28, 28), 1, train_subset=2048, val_subset=500)


@pytest.mark.slow
def test_short_training_beats_chance_by_far(splits):
    _, result = fit(parse_netspec(NET), splits, TrainConfig(epochs=2, batch_size=64, lr=0.2))
    assert result.metrics.count == 500 and result.metrics.top1 > 35.0  # chance is 10%
    assert len(result.history) == 2 and result.history[1]["train_loss"] < result.history[0]["train_loss"]


class _Interrupted(Exception):
    pass


def _interrupt_after_first_epoch(record):
    if record["epoch"] == 1:
        raise _Interrupted


@pytest.mark.slow
def test_resumed_run_ends_with_the_same_weights(splits, tmp_path):
    spec, cfg = parse_netspec(NET), TrainConfig(epochs=2, batch_size=256, lr=0.05, seed=4)
    full, _ = fit(spec, splits, cfg, tmp_path / "full.pt")
    with pytest.raises(_Interrupted):
        fit(spec, splits, cfg, tmp_path / "part.pt", on_epoch=_interrupt_after_first_epoch)
    assert load_checkpoint(tmp_path / "part.pt")["epoch"] == 1
    resumed, result = fit(spec, splits, cfg, tmp_path / "part.pt", resume=True)
    assert result.epochs == 2 and load_checkpoint(tmp_path / "part.pt")["epoch"] == 2
    for (name, a), b in zip(full.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_resume_refuses_a_checkpoint_of_another_architecture(splits, tmp_path):
    cfg = TrainConfig(epochs=1, batch_size=256)
    fit(parse_netspec(NET), splits, cfg, tmp_path / "a.pt")
    other = parse_netspec({**NET, "stem": {"out_channels": 16, "kernel_size": 3, "stride": 2}})
    with pytest.raises(InputError, match="another architecture"):
        fit(other, splits, cfg, tmp_path / "a.pt", resume=True)


def test_cli_train_then_eval(tmp_path):
    dump_netspec(parse_netspec(NET), tmp_path / "net.json")
    ckpt = tmp_path / "ckpt.pt"
    args = ["train", str(tmp_path / "net.json"), "--data", "builtin:fashion-mnist", "-o", str(ckpt),
            "--epochs", "1", "--batch-size", "64", "--train-subset", "512", "--val-subset", "200"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["val"]["count"] == 200 and doc["val"]["top5"] is not None and ckpt.is_file()
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--resume" in again.output
    ev = runner.invoke(app, ["eval", str(tmp_path / "net.json"), "--ckpt", str(ckpt), "--val-subset", "200",
                             "--json"])
    assert ev.exit_code == 0, ev.output
    assert json.loads(ev.stdout)["top1"] == pytest.approx(doc["val"]["top1"])
    human = runner.invoke(app, ["eval", str(tmp_path / "net.json"), "--ckpt", str(ckpt), "--split", "test",
                                "--val-subset", "100"])
    assert human.exit_code == 0 and "top-1" in human.stdout and "(100 images)" in human.stdout


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["blocks"][0].update(kernal_size=3), "unknown key 'kernal_size'"),
    (lambda d: d["blocks"][1].update(kernel_size=4), "kernel_size"),
    (lambda d: d.update(format="netspec/9"), "unknown format"),
])
def test_cli_bad_netspec_is_one_line_exit_2(tmp_path, mutate, message):
    doc = json.loads(json.dumps(NET))
    mutate(doc)
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    result = runner.invoke(app, ["train", str(tmp_path / "bad.json"), "-o", str(tmp_path / "c.pt")])
    assert result.exit_code == 2
    assert message in result.output and "bad.json" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "c.pt").exists()


def test_cli_eval_of_a_file_that_is_no_checkpoint(tmp_path):
    (tmp_path / "x.pt").write_text("hello")
    result = runner.invoke(app, ["eval", "mcunet-in0", "--ckpt", str(tmp_path / "x.pt")])
    assert result.exit_code == 2 and "x.pt" in result.output and len(result.output.strip().splitlines()) == 1


def test_a_file_that_is_not_a_checkpoint_is_one_clear_line(tmp_path):
    (tmp_path / "notes.pt").write_text("not a torch file\n")
    with pytest.raises(InputError, match=r"notes.pt: not a checkpoint \(torch.load cannot read it"):
        load_checkpoint(tmp_path / "notes.pt")
