"""A graph network written the way PyTorch tutorials write message passing without a graph
library: a k-nearest-neighbour graph from torch.cdist and topk, node degrees from bincount,
messages gathered with index_select and summed with index_add_, a residual update with a Mish
activation, per-graph pooling with scatter_add, and a readout trained with Adam."""
import fixed
import torch
import torch.nn as nn
import torch.nn.functional as F

nodes_per_graph, graphs, features, hidden, k = 6, 8, 3, 16, 2
points = fixed.randn(graphs * nodes_per_graph, features)
graph_of_node = torch.arange(graphs).repeat_interleave(nodes_per_graph)
targets = torch.stack([points[graph_of_node == g].norm(dim=1).max() for g in range(graphs)])

# each node's k nearest neighbours within its own graph
distances = torch.cdist(points, points)
same_graph = graph_of_node.unsqueeze(0) == graph_of_node.unsqueeze(1)
distances = distances.masked_fill(~same_graph, float("inf"))
distances.fill_diagonal_(float("inf"))
neighbours = distances.topk(k, dim=1, largest=False).indices  # (N, k)
source = neighbours.reshape(-1)
target = torch.arange(points.shape[0]).repeat_interleave(k)
degree = torch.bincount(target, minlength=points.shape[0]).float()
print("edges:", source.numel(), "mean degree:", degree.mean().item())


class MessagePassing(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.message = nn.Linear(2 * width, width)
        self.update = nn.Linear(2 * width, width)

    def forward(self, h):
        pairs = torch.cat([h.index_select(0, target), h.index_select(0, source)], dim=1)
        messages = F.mish(self.message(pairs))
        summed = torch.zeros_like(h).index_add_(0, target, messages)
        mean = summed / degree.clamp(min=1).unsqueeze(1)
        return h + F.mish(self.update(torch.cat([h, mean], dim=1)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(features, hidden)
        self.layers = nn.ModuleList([MessagePassing(hidden) for _ in range(2)])
        self.readout = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.encode(x)
        for layer in self.layers:
            h = layer(h)
        pooled = torch.zeros(graphs, hidden).scatter_add(0, graph_of_node.unsqueeze(1).expand(-1, hidden), h)
        return self.readout(pooled / nodes_per_graph).squeeze(1)


model = fixed.init_parameters(Net())
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(30):
    loss = F.mse_loss(model(points), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 10 == 0 or step == 29:
        print(f"step {step:2d} mse {loss.item():.5f}")
