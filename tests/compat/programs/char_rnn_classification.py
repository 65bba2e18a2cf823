"""The char-RNN name classifier tutorial: one-hot letters, an RNN cell built from nn.Linear on
torch.cat((input, hidden), 1), LogSoftmax + NLLLoss, manual SGD through p.data.add_, and
predictions read with output.topk."""
import string

import fixed
import torch
import torch.nn as nn

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)
category_lines = {
    "English": ["smith", "jones", "taylor", "brown", "walker", "wright"],
    "Italian": ["rossi", "russo", "ferrari", "esposito", "bianchi", "romano"],
    "Japanese": ["sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito"],
}
all_categories = list(category_lines)
n_categories = len(all_categories)


def letterToIndex(letter):
    return all_letters.find(letter)


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = torch.tanh(self.i2h(combined))
        output = self.softmax(self.h2o(hidden))
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


n_hidden = 32
rnn = fixed.init_parameters(RNN(n_letters, n_hidden, n_categories))
criterion = nn.NLLLoss()
learning_rate = 0.05


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    category_i = top_i[0].item()
    return all_categories[category_i], category_i


def train(category_tensor, line_tensor):
    hidden = rnn.initHidden()
    rnn.zero_grad()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    for p in rnn.parameters():
        p.data.add_(p.grad.data, alpha=-learning_rate)
    return output, loss.item()


examples = [(category, line) for category in all_categories for line in category_lines[category]]
order = fixed.randint(len(examples), (120,)).tolist()
current_loss = 0.0
for iteration, index in enumerate(order, start=1):
    category, line = examples[index]
    category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
    output, loss = train(category_tensor, lineToTensor(line))
    current_loss += loss
    if iteration % 20 == 0:
        guess, _ = categoryFromOutput(output)
        print(f"{iteration} {current_loss / 20:.4f} {line} / {guess} {'ok' if guess == category else 'wrong'}")
        current_loss = 0.0


def predict(input_line, n_predictions=2):
    with torch.no_grad():
        hidden = rnn.initHidden()
        line_tensor = lineToTensor(input_line)
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        topv, topi = output.topk(n_predictions, 1, True)
        for i in range(n_predictions):
            print(f"  {input_line}: ({topv[0][i].item():.3f}) {all_categories[topi[0][i].item()]}")


for name in ("tanaka", "bianchi", "walker"):
    predict(name)
