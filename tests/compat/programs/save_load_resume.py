"""Saving and loading a general checkpoint (the tutorial's dict of epoch, model and optimizer
state dicts and loss) with torch.save/torch.load, a StepLR schedule, and resuming: the resumed
run prints the same losses as the uninterrupted one."""
import os
import tempfile

import fixed
import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


inputs, targets = fixed.randn(40, 6), fixed.randint(2, (40,))
criterion = nn.CrossEntropyLoss()


def make():
    net = fixed.init_parameters(Net())
    optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    return net, optimizer, optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)


def epoch(net, optimizer, scheduler):
    net.train()
    for i in range(4):
        optimizer.zero_grad()
        loss = criterion(net(inputs[i * 10:(i + 1) * 10]), targets[i * 10:(i + 1) * 10])
        loss.backward()
        optimizer.step()
    scheduler.step()
    return loss.item()


net, optimizer, scheduler = make()
for e in range(3):
    loss = epoch(net, optimizer, scheduler)
    print(f"epoch {e} loss {loss:.5f} lr {scheduler.get_last_lr()[0]:.4f}")

with tempfile.TemporaryDirectory() as folder:
    PATH = os.path.join(folder, "checkpoint.pt")
    torch.save({"epoch": 3, "model_state_dict": net.state_dict(), "optimizer_state_dict": optimizer.state_dict(),
                "scheduler_state_dict": scheduler.state_dict(), "loss": loss}, PATH)
    uninterrupted = [epoch(net, optimizer, scheduler) for _ in range(2)]

    resumed_net, resumed_optimizer, resumed_scheduler = make()
    checkpoint = torch.load(PATH, weights_only=True)
    resumed_net.load_state_dict(checkpoint["model_state_dict"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    resumed_scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    print("resumed from epoch", checkpoint["epoch"], f"loss {checkpoint['loss']:.5f}")
    resumed = [epoch(resumed_net, resumed_optimizer, resumed_scheduler) for _ in range(2)]
print("uninterrupted", [f"{v:.5f}" for v in uninterrupted])
print("resumed      ", [f"{v:.5f}" for v in resumed])
resumed_net.eval()
with torch.no_grad():
    print("eval", [round(v, 4) for v in resumed_net(inputs[:3]).flatten().tolist()])
