"""The "what is torch.nn really?" progression on MNIST-shaped data: a model from raw tensors
(hand-written log_softmax and negative log-likelihood), then F.cross_entropy, nn.Module with
nn.Parameter, nn.Linear, optim.SGD, TensorDataset/DataLoader, and a CNN in nn.Sequential."""
import math

import fixed
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.utils.data import DataLoader, TensorDataset

n, bs, lr = 512, 64, 0.05
x_train = fixed.rand(n, 784)
teacher = fixed.randn(784, 10)
y_train = (x_train @ teacher).argmax(dim=1)
x_valid, y_valid = x_train[:128], y_train[:128]

weights = fixed.randn(784, 10) / math.sqrt(784)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


loss_func = nll
print("start", round(loss_func(model(x_train[:bs]), y_train[:bs]).item(), 5))
for epoch in range(2):
    for i in range((n - 1) // bs + 1):
        xb, yb = x_train[i * bs: i * bs + bs], y_train[i * bs: i * bs + bs]
        loss = loss_func(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print("raw", round(loss.item(), 5), round(accuracy(model(xb), yb).item(), 5))

loss_func = F.cross_entropy
print("F.cross_entropy", round(loss_func(xb @ weights + bias, yb).item(), 5))


class MnistLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(fixed.randn(784, 10) / math.sqrt(784))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


class MnistLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10)

    def forward(self, xb):
        return self.lin(xb)


def fit(model, opt, train_dl, epochs):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss = loss_func(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        model.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl) / len(valid_dl)
        print(type(model).__name__, epoch, round(valid_loss.item(), 5))


train_ds = TensorDataset(x_train, y_train)
train_dl = DataLoader(train_ds, batch_size=bs)  # in order: both libraries see the same batches
valid_dl = DataLoader(TensorDataset(x_valid, y_valid), batch_size=bs * 2)

for make in (MnistLogistic, MnistLinear):
    model = fixed.init_parameters(make())
    fit(model, optim.SGD(model.parameters(), lr=lr), train_dl, 2)


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


cnn = nn.Sequential(
    Lambda(lambda x: x.view(-1, 1, 28, 28)),
    nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
fixed.init_parameters(cnn)
fit(cnn, optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9), train_dl, 2)
