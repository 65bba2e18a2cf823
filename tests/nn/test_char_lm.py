import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from nn.char_lm import (
    CharLM,
    CharLMConfig,
    Vocabulary,
    default_text,
    detach_state,
    load_char_lm,
    main,
    sample,
    save_char_lm,
    streams,
    train,
)
from nn.optim import Adam
from tests.nn.test_rnn import one_blas_thread


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_hello_model_learns_to_say_hello_from_h(cell):
    """The course example: vocabulary h, e, l, o; the state must tell the first l from the second."""
    vocab = Vocabulary("helo")
    assert vocab.chars == ["e", "h", "l", "o"]
    ag.manual_seed(0)
    model = CharLM(CharLMConfig(len(vocab), cell=cell, hidden_size=8))
    optimizer = Adam(model.parameters(), lr=0.05)
    data = vocab.encode("hello")[:, None]  # (T, N=1)
    for _ in range(150):
        logits, _ = model(data[:-1])
        loss = F.cross_entropy(logits.reshape(-1, len(vocab)), data[1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05
    assert sample(model, vocab, 4, seed_text="h", temperature=0) == "hello"


def test_char_model_on_pythons_own_docs_falls_below_two_and_a_half_bits_per_char():
    with one_blas_thread():
        result = train(steps=250, cell="lstm", hidden_size=128, embedding_dim=32, seq_len=32, batch_size=32, lr=1e-2,
                       report=None, validation_fraction=0)
    assert result.bits[0] > 6  # starts near log2(vocabulary) = log2(103)
    assert np.mean(result.bits[-25:]) < 2.5  # about 2.35 (seed 0)


def test_reports_samples_and_bits_per_char_and_can_be_silenced(capsys):
    messages = []
    result = train("abcabcabd" * 40, steps=4, hidden_size=8, seq_len=8, batch_size=4, sample_every=2,
                   sample_length=10, seed_text="ab", report=messages.append)
    assert len(messages) == 3  # steps 2 and 4, then the held-out figure
    assert "bits/char" in messages[0] and "--- sample (temperature 0.8) ---\nab" in messages[0]
    assert "held-out loss" in messages[-1] and result.validation_bits is not None
    train("abcabcabd" * 40, steps=2, hidden_size=8, seq_len=8, batch_size=4, report=None)
    assert capsys.readouterr().out == ""


def test_checkpoint_round_trip_gives_the_same_predictions(tmp_path):
    ag.manual_seed(1)
    vocab = Vocabulary("some text")
    model = CharLM(CharLMConfig(len(vocab), cell="gru", hidden_size=6, num_layers=2, embedding_dim=3))
    path = save_char_lm(tmp_path / "model.npz", model, vocab, step=7)
    loaded, loaded_vocab = load_char_lm(path)
    assert loaded_vocab.chars == vocab.chars and loaded.config == model.config
    indices = vocab.encode("text")[:, None]
    np.testing.assert_array_equal(loaded(indices)[0].array, model(indices)[0].array)
    with np.load(path, allow_pickle=False) as archive:  # no pickled objects inside
        assert "model/rnn.weight_ih_l0" in archive.files


def test_cli_trains_saves_and_samples(tmp_path, capsys):
    text_file = tmp_path / "text.txt"
    text_file.write_text("the cat sat on the mat. " * 20, encoding="utf-8")
    checkpoint = tmp_path / "lm.npz"
    main(["train", "--text", str(text_file), "--steps", "3", "--hidden", "8", "--seq-len", "8", "--batch", "4",
          "--quiet", "--checkpoint", str(checkpoint)])
    assert capsys.readouterr().out == "" and checkpoint.exists()
    main(["sample", "--checkpoint", str(checkpoint), "--length", "12", "--seed-text", "the ", "--seed", "0"])
    printed = capsys.readouterr().out.rstrip("\n")
    assert printed.startswith("the ") and len(printed) == 16


@pytest.mark.parametrize("content", [None, b"not a checkpoint"], ids=["missing", "not-npz"])
def test_sampling_from_a_bad_checkpoint_is_a_one_line_error(tmp_path, capsys, content):
    checkpoint = tmp_path / "lm.npz"
    if content is not None:
        checkpoint.write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        main(["sample", "--checkpoint", str(checkpoint)])
    assert exited.value.code == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("python -m nn.char_lm sample: ") and str(checkpoint) in error
    assert "Traceback" not in error


def test_truncated_bptt_windows_and_streams():
    columns = streams(np.arange(10), 3)
    np.testing.assert_array_equal(columns, [[0, 3, 6], [1, 4, 7], [2, 5, 8]])
    state = (ag.zeros(1, 2, requires_grad=True) * 2, ag.zeros(1, 2))
    assert all(part.grad_fn is None for part in detach_state(state))


def test_errors_are_named():
    with pytest.raises(ValueError, match=r"characters 'z' are not in the vocabulary of 3 characters"):
        Vocabulary("abc").encode("abz")
    with pytest.raises(ValueError, match="too short for batch_size=8"):
        streams(np.arange(10), 8)
    with pytest.raises(ValueError, match="cell must be one of"):
        CharLM(CharLMConfig(3, cell="transformer"))
    assert len(default_text()) > 400_000
