"""The VAE example: fc encoder to (mu, logvar), the reparameterisation trick, a sigmoid decoder,
binary cross-entropy (reduction='sum') plus the KL term, trained with Adam."""
import fixed
import torch
import torch.nn.functional as F
from torch import nn, optim


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 200)
        self.fc21 = nn.Linear(200, 20)
        self.fc22 = nn.Linear(200, 20)
        self.fc3 = nn.Linear(20, 200)
        self.fc4 = nn.Linear(200, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = fixed.randn_like(std)  # torch.randn_like(std) in the example: fixed draws compare
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


device = torch.device("cpu")
model = fixed.init_parameters(VAE()).to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)
data_all = (fixed.rand(96, 1, 28, 28) > 0.7).float()

for epoch in range(1, 4):
    model.train()
    train_loss = 0
    for batch_idx in range(3):
        data = data_all[batch_idx * 32:(batch_idx + 1) * 32].to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    print(f"====> Epoch: {epoch} Average loss: {train_loss / len(data_all):.4f}")

model.eval()
with torch.no_grad():
    sample = fixed.randn(8, 20).to(device)
    sample = model.decode(sample).cpu()
    print("sample", list(sample.view(8, 1, 28, 28).shape), f"{sample.mean().item():.5f}")
