"""A data-pipeline tutorial: an IterableDataset streaming batches of a linear problem, a
ConcatDataset of two map-style datasets, a DataLoader with a collate_fn; the closed-form ridge
solution with torch.linalg.solve beside SGD training; evaluation with torch.no_grad and
summaries with quantile, histc and a meshgrid of a loss surface."""
import fixed
import torch
from torch.utils.data import ConcatDataset, DataLoader, IterableDataset, TensorDataset

true_w = torch.tensor([[1.5], [-2.0], [0.5]])
x_all = fixed.randn(96, 3)
y_all = x_all @ true_w + 0.1 * fixed.randn(96, 1)


class Stream(IterableDataset):
    def __init__(self, x, y, chunk):
        self.x, self.y, self.chunk = x, y, chunk

    def __iter__(self):
        for start in range(0, len(self.x), self.chunk):
            yield self.x[start:start + self.chunk], self.y[start:start + self.chunk]


def stack_chunks(batch):
    xs, ys = zip(*batch)
    return torch.cat(xs), torch.cat(ys)


both = ConcatDataset([TensorDataset(x_all[:48], y_all[:48]), TensorDataset(x_all[48:], y_all[48:])])
print("concat length:", len(both), "first target:", round(both[50][1].item(), 4))

lam = 0.1
eye = torch.eye(3)
ridge = torch.linalg.solve(x_all.T @ x_all + lam * eye, x_all.T @ y_all)
print("ridge:", [round(v, 4) for v in ridge.squeeze(1).tolist()])

w = torch.zeros(3, 1, requires_grad=True)
loader = DataLoader(Stream(x_all, y_all, 8), batch_size=2, collate_fn=stack_chunks)
for epoch in range(6):
    for xb, yb in loader:
        loss = ((xb @ w - yb) ** 2).mean() + lam / len(x_all) * (w ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            w.grad = None
    with torch.no_grad():
        full = ((x_all @ w - y_all) ** 2).mean()
        gap = torch.dist(w, ridge)
    print(f"epoch {epoch} mse {full.item():.5f} distance to ridge {gap.item():.5f}")

with torch.no_grad():
    residuals = (x_all @ w - y_all).squeeze(1)
    quartiles = torch.quantile(residuals, torch.tensor([0.25, 0.5, 0.75]))
    print("residual quartiles:", [round(v, 4) for v in quartiles.tolist()])
    print("histogram:", torch.histc(residuals, bins=5, min=-0.3, max=0.3).tolist())
    a, b = torch.meshgrid(torch.linspace(1, 2, 3), torch.linspace(-2.5, -1.5, 3), indexing="ij")
    grid = torch.stack([a.reshape(-1), b.reshape(-1), torch.full((9,), 0.5)], dim=1)
    surface = ((x_all @ grid.T - y_all) ** 2).mean(0).reshape(3, 3)
    print("loss surface minimum at", divmod(surface.argmin().item(), 3), f"{surface.min().item():.4f}")
