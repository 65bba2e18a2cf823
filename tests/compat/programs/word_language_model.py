"""The word-level language model example: a corpus batchified with narrow/view/t().contiguous(),
an Embedding -> LSTM -> Linear model whose init_hidden uses weight.new_zeros, truncated BPTT
with detached hidden states, gradient clipping and the manual SGD update, and perplexity."""
import math

import fixed
import torch
import torch.nn as nn

words = ("the cat sat on the mat . the dog sat on the log . a cat saw a dog . "
         "the dog saw the cat on a mat .").split() * 6
vocab = sorted(set(words))
word2idx = {word: index for index, word in enumerate(vocab)}
corpus = torch.tensor([word2idx[word] for word in words], dtype=torch.long)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.0):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


bptt, batch_size, lr, clip = 6, 4, 5.0, 0.25
train_data = batchify(corpus, batch_size)
print("batches", list(train_data.shape), train_data[0].tolist())


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


model = RNNModel(len(vocab), 16, 24, 2)
fixed.init_parameters(model)
model.rnn.flatten_parameters()
criterion = nn.NLLLoss()

for epoch in range(1, 4):
    model.train()
    total_loss = 0.0
    hidden = model.init_hidden(batch_size)
    steps = 0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        steps += 1
    cur_loss = total_loss / steps
    print(f"| epoch {epoch:3d} | loss {cur_loss:5.3f} | ppl {math.exp(cur_loss):8.3f}")
