"""``nn.models.GPT``: parity with the same model in PyTorch (values, loss, every gradient, AdamW
steps with GPT-2's parameter groups), learning, generation and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.attention import MultiHeadSelfAttention
from benchmarks.torch_gpt import torch_gpt
from nn.models import GPT, GPTConfig
from tests.helpers import requires_torch, torch

SMALL = GPTConfig(block_size=8, vocab_size=11, n_layer=2, n_head=2, n_embd=16)


def _batch(config: GPTConfig = SMALL, batch: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = (batch, config.block_size)
    return rng.integers(0, config.vocab_size, shape), rng.integers(0, config.vocab_size, shape)


@requires_torch
@pytest.mark.parametrize("bias", [True, False])
def test_logits_loss_and_every_gradient_match_pytorch(bias):
    ag.manual_seed(0)
    config = GPTConfig(block_size=8, vocab_size=11, n_layer=2, n_head=2, n_embd=16, bias=bias)
    model = GPT(config).double()
    reference = torch_gpt(torch, config, weights_from=model, dtype=torch.float64)
    idx, targets = _batch(config)
    targets[0, :2] = -1  # ignored positions
    logits, loss = model(idx, targets)
    ref_logits, ref_loss = reference(torch.tensor(idx), torch.tensor(targets))
    np.testing.assert_allclose(logits.array, ref_logits.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss.item(), ref_loss.item(), rtol=1e-12)
    loss.backward()
    ref_loss.backward()
    theirs = dict(reference.named_parameters())
    assert len(theirs) == len(list(model.parameters()))  # the tied weight counted once by both
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(parameter.grad.array, theirs[name].grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=name)
    last, _ = model(idx)
    np.testing.assert_allclose(last.array, reference(torch.tensor(idx))[0].detach().numpy(), rtol=1e-10, atol=1e-12)
    assert last.shape == (3, 1, 11)


@requires_torch
def test_adamw_steps_with_gpt2_parameter_groups_follow_pytorch():
    ag.manual_seed(1)
    model = GPT(SMALL).double()
    reference = torch_gpt(torch, SMALL, weights_from=model, dtype=torch.float64)
    optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=1e-2, betas=(0.9, 0.95))
    decay = [p for name, p in reference.named_parameters() if p.ndim >= 2]
    no_decay = [p for name, p in reference.named_parameters() if p.ndim < 2]
    ref_optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-2, betas=(0.9, 0.95)
    )
    idx, targets = _batch()
    for _ in range(5):
        _, loss = model(idx, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        _, ref_loss = reference(torch.tensor(idx), torch.tensor(targets))
        ref_optimizer.zero_grad()
        ref_loss.backward()
        ref_optimizer.step()
        np.testing.assert_allclose(loss.item(), ref_loss.item(), rtol=1e-9)


def test_parameter_groups_decay_the_matrices_only():
    model = GPT(SMALL)
    decay, no_decay = model.configure_optimizers().param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.ndim == 2 for p in decay["params"]) and all(p.ndim == 1 for p in no_decay["params"])
    assert len(decay["params"]) == 2 + 4 * SMALL.n_layer  # wte (= lm_head), wpe, four matrices per block
    assert model.transformer.wte.weight is model.lm_head.weight
    assert model.get_num_params() == model.get_num_params(False) - 8 * 16


def test_initialisation_follows_gpt2():
    ag.manual_seed(0)
    model = GPT(GPTConfig(block_size=64, vocab_size=500, n_layer=8, n_head=4, n_embd=64))
    assert abs(model.transformer.wte.weight.array.std() - 0.02) < 0.002
    assert abs(model.transformer.h[0].attn.c_proj.weight.array.std() - 0.02 / 4) < 0.001  # 0.02 / sqrt(2 * 8)
    assert not model.transformer.h[0].mlp.c_fc.bias.array.any()


def test_attention_is_one_node_per_layer():
    model = GPT(SMALL)
    _, loss = model(*_batch())
    count, stack, seen = 0, [loss.grad_fn], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        count += type(node) is MultiHeadSelfAttention
        stack.extend(child for child, _ in node.next_functions if hasattr(child, "_next"))
    assert count == SMALL.n_layer


def test_attention_weights_are_the_ones_the_layer_uses():
    ag.manual_seed(2)
    model = GPT(SMALL).double()
    attention = model.transformer.h[0].attn
    x = ag.randn(2, 5, 16, dtype=ag.float64)
    weights = attention.attention_weights(x)
    assert weights.shape == (2, 2, 5, 5)
    np.testing.assert_allclose(weights.array.sum(-1), 1.0)
    assert not np.triu(weights.array, 1).any()  # nothing from the future
    heads = weights @ attention.c_attn(x)[..., 32:].reshape(2, 5, 2, 8).transpose(1, 2)
    expected = attention.c_proj(heads.transpose(1, 2).reshape(2, 5, 16))
    np.testing.assert_allclose(attention(x).array, expected.array, rtol=1e-12, atol=1e-14)


def test_a_small_gpt_memorises_a_sequence():
    ag.manual_seed(0)
    model = GPT(GPTConfig(block_size=8, vocab_size=6, n_layer=1, n_head=2, n_embd=16))
    optimizer = model.configure_optimizers(weight_decay=0.0, learning_rate=1e-2)
    sequence = np.array([[0, 3, 1, 4, 1, 5, 2, 5, 3]])
    for _ in range(150):
        _, loss = model(sequence[:, :-1], sequence[:, 1:])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05
    np.testing.assert_array_equal(model.generate(sequence[:, :1], 8, top_k=1).array, sequence)


def test_generate_samples_repeatably_respects_top_k_and_crops_the_context():
    ag.manual_seed(0)
    model = GPT(SMALL)
    start = np.zeros((2, 1), dtype=np.int64)
    ag.manual_seed(7)
    first = model.generate(start, 20)
    ag.manual_seed(7)
    assert np.array_equal(first.array, model.generate(start, 20).array)
    assert first.shape == (2, 21) and first.dtype == np.int64 and model.training
    greedy = model.generate(start, 12, top_k=1)  # longer than block_size: the context is cropped
    logits, _ = model(greedy.array[:, -8:-1])
    assert np.array_equal(greedy.array[:, -1], logits.array[:, -1].argmax(-1))
    probabilities = np.zeros(11)
    ag.manual_seed(3)
    for token in model.generate(start, 200, temperature=5.0, top_k=3).array[0, 1:]:
        probabilities[token] += 1
    assert (probabilities > 0).sum() <= 3 * 8  # each step among its own top 3


def test_dropout_acts_in_training_only():
    ag.manual_seed(0)
    model = GPT(GPTConfig(block_size=8, vocab_size=11, n_layer=1, n_head=2, n_embd=16, dropout=0.3))
    idx, targets = _batch()
    assert model(idx, targets)[1].item() != model(idx, targets)[1].item()
    model.eval()
    assert model(idx, targets)[1].item() == model(idx, targets)[1].item()


def test_errors():
    model = GPT(SMALL)
    with pytest.raises(ag.ShapeError, match="block size is 8"):
        model(np.zeros((1, 9), dtype=np.int64))
    with pytest.raises(ag.DtypeError, match="integers"):
        model(np.zeros((1, 4)))
    with pytest.raises(ag.ShapeError, match="shape of idx"):
        model(np.zeros((1, 4), dtype=np.int64), np.zeros((1, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="temperature"):
        model.generate(np.zeros((1, 1), dtype=np.int64), 2, temperature=0)
    with pytest.raises(TypeError, match="not both"):
        GPT(SMALL, n_layer=3)


def test_one_block_draws_as_a_lesson():
    """Named fused nodes between the parameters, each layer's parameters in its module's cluster."""
    from nn.models.gpt import Block

    block = Block(GPTConfig(block_size=4, vocab_size=5, n_layer=1, n_head=2, n_embd=8))
    out = block(ag.randn(1, 4, 8, requires_grad=True))
    source = ag.draw_graph(out, params=block).source
    for op, count in (("MultiHeadSelfAttention", 1), ("Gelu", 1), ("Normalize", 2)):
        assert source.count(f"<b>{op}</b>") == count, op
    for module in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"):
        assert f"cluster_{module}" in source
