"""``python -m nn.gpt``: the character-level GPT job (training, held-out bits per character,
samples, checkpoints, an exact resume, the command line)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from nn.checkpoint import CheckpointError
from nn.gpt import bits_per_char, learning_rate, load_gpt, main, random_windows, sample, save_gpt, train
from nn.models import GPT, GPTConfig

TEXT = "the cat sat on the mat. the dog sat on the log. " * 30
TINY = dict(n_layer=1, n_head=2, n_embd=16, block_size=16, batch_size=8, lr=1e-2, warmup=10)


def test_a_tiny_gpt_learns_a_repetitive_text_and_reports_held_out_bits():
    messages = []
    result = train(TEXT, steps=150, sample_every=75, sample_length=20, seed_text="the ", report=messages.append, **TINY)
    assert result.bits[0] > 3.5  # near log2(vocabulary of 17) = 4.1 at the start
    assert np.mean(result.bits[-10:]) < 1.0 and result.validation_bits < 1.0
    assert len(messages) == 3 and "held out" in messages[0] and "--- sample (temperature 0.8) ---\nthe " in messages[1]
    assert messages[-1].startswith("held-out loss") and result.step == 150


def test_training_can_be_silent(capsys):
    train(TEXT, steps=2, report=None, **TINY)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_resumed_run_continues_exactly_where_the_interrupted_one_stopped(tmp_path):
    options = dict(TINY, dropout=0.1, steps=10, sample_every=5, sample_length=5)  # dropout: the generators matter
    whole = train(TEXT, report=lambda _: None, **options)
    path = tmp_path / "gpt.npz"
    reports = []

    def interrupt_at_the_second_report(message: str) -> None:
        reports.append(message)
        if len(reports) == 2:
            raise KeyboardInterrupt  # at step 10, before that step's checkpoint: the file holds step 5

    with pytest.raises(KeyboardInterrupt):
        train(TEXT, checkpoint=path, report=interrupt_at_the_second_report, **options)
    resumed = train(TEXT, checkpoint=path, resume=True, report=lambda _: None, **options)
    assert resumed.step == 10 and resumed.bits == whole.bits[5:]
    with pytest.raises(CheckpointError, match="different model or text"):
        train(TEXT, checkpoint=path, resume=True, report=None, **{**options, "n_embd": 32})
    with pytest.raises(CheckpointError, match="resume needs an existing checkpoint"):
        train(TEXT, checkpoint=tmp_path / "missing.npz", resume=True, report=None, **options)


def test_checkpoint_round_trip_gives_the_same_predictions_and_samples(tmp_path):
    ag.manual_seed(1)
    from nn.char_lm import Vocabulary

    vocab = Vocabulary(TEXT)
    model = GPT(GPTConfig(block_size=16, vocab_size=len(vocab), n_layer=1, n_head=2, n_embd=16))
    path = save_gpt(tmp_path / "model.npz", model, vocab, step=3)
    loaded, loaded_vocab = load_gpt(path)
    assert loaded_vocab.chars == vocab.chars and loaded.config == model.config
    indices = vocab.encode("the cat")[None, :]
    np.testing.assert_array_equal(loaded(indices)[0].array, model(indices)[0].array)
    ag.manual_seed(5)
    first = sample(model, vocab, 30, "the ", top_k=5)
    ag.manual_seed(5)
    assert sample(loaded, vocab, 30, "the ", top_k=5) == first and len(first) == 34
    with np.load(path, allow_pickle=False) as archive:
        assert "model/transformer.h.0.attn.c_attn.weight" in archive.files


def test_bits_per_char_scores_every_next_character_once():
    ag.manual_seed(0)
    model = GPT(GPTConfig(block_size=4, vocab_size=5, n_layer=1, n_head=1, n_embd=8))
    data = np.arange(13) % 5
    windows = np.stack([data[0:5], data[4:9], data[8:13]])
    _, loss = model(windows[:, :-1], windows[:, 1:])
    assert bits_per_char(model, data, batch_size=2) == pytest.approx(loss.item() / math.log(2), rel=1e-6)


def test_random_windows_and_the_learning_rate_schedule():
    inputs, targets = random_windows(np.arange(100), 8, 5, np.random.default_rng(0))
    assert inputs.shape == targets.shape == (5, 8)
    np.testing.assert_array_equal(targets, inputs + 1)
    with pytest.raises(ValueError, match="too short"):
        random_windows(np.arange(8), 8, 1, np.random.default_rng(0))
    rates = [learning_rate(step, 1.0, 10, 110, 0.1) for step in range(110)]
    assert rates[0] == pytest.approx(0.1) and rates[9] == pytest.approx(1.0)
    assert rates[60] == pytest.approx(0.55) and rates[-1] == pytest.approx(0.1, abs=1e-3)


def test_cli_trains_saves_and_samples(tmp_path, capsys):
    text_file = tmp_path / "text.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    checkpoint = tmp_path / "gpt.npz"
    main(["train", "--text", str(text_file), "--steps", "3", "--layers", "1", "--heads", "2", "--embd", "16",
          "--block", "16", "--batch", "4", "--quiet", "--checkpoint", str(checkpoint)])
    assert capsys.readouterr().out == "" and checkpoint.exists()
    main(["train", "--text", str(text_file), "--steps", "5", "--layers", "1", "--heads", "2", "--embd", "16",
          "--block", "16", "--batch", "4", "--quiet", "--checkpoint", str(checkpoint), "--resume"])
    main(["sample", "--checkpoint", str(checkpoint), "--length", "12", "--seed-text", "the ", "--seed", "0"])
    printed = capsys.readouterr().out.rstrip("\n")
    assert printed.startswith("the ") and len(printed) == 16


def test_cli_errors_are_one_line_not_tracebacks(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["sample", "--checkpoint", str(tmp_path / "missing.npz")])
    assert stopped.value.code == 1 and "python -m nn.gpt sample:" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["train", "--resume", "--checkpoint", str(tmp_path / "missing.npz")])
    assert stopped.value.code == 1 and "--resume needs --checkpoint" in capsys.readouterr().err
