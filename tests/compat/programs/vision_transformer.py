"""A tiny Vision Transformer in the style of the popular from-scratch ViT tutorials: patches cut
with Tensor.unfold, a learned class token and position embedding (nn.Parameter, trunc_normal_
then fixed weights), pre-norm encoder blocks (nn.MultiheadAttention with batch_first, a SiLU
MLP held in an nn.ModuleList), AdamW with parameter groups, a warm-restart cosine schedule,
gradient clipping and evaluation under torch.inference_mode."""
import fixed
import torch
import torch.nn as nn
import torch.nn.functional as F

image, patch, dim, heads, depth, classes = 8, 4, 16, 2, 2, 3


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.SiLU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(patch * patch, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, (image // patch) ** 2 + 1, dim))
        nn.init.trunc_normal_(self.pos, std=0.02)
        self.blocks = nn.ModuleList([Block() for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def patches(self, x):  # (B, 1, H, W) -> (B, patches, patch * patch)
        p = x.unfold(2, patch, patch).unfold(3, patch, patch)  # (B, 1, H/p, W/p, p, p)
        return p.reshape(x.shape[0], -1, patch * patch)

    def forward(self, x):
        tokens = self.embed(self.patches(x))
        tokens = torch.cat([self.cls.expand(x.shape[0], -1, -1), tokens], dim=1) + self.pos
        for block in self.blocks:
            tokens = block(tokens)
        return self.head(self.norm(tokens[:, 0]))


model = fixed.init_parameters(ViT())
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=3e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=4, T_mult=2)
images = fixed.randn(24, 1, image, image)
labels = (images.mean(dim=(1, 2, 3)) > 0).long() + (images[:, :, :4].mean(dim=(1, 2, 3)) > 0.3).long()
print("parameters:", sum(p.numel() for p in model.parameters()), "classes:", torch.bincount(labels).tolist())

for step in range(12):
    model.train()
    loss = F.cross_entropy(model(images), labels, label_smoothing=0.1)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    scheduler.step()
    if step % 3 == 0:
        print(f"step {step:2d} loss {loss.item():.4f} grad norm {norm.item():.4f} lr {scheduler.get_last_lr()[0]:.5f}")

model.eval()
with torch.inference_mode():
    logits = model(images)
    accuracy = (logits.argmax(dim=-1) == labels).float().mean()
print(f"accuracy {accuracy.item():.3f}, confidence quartiles",
      [round(q, 4) for q in torch.quantile(F.softmax(logits, -1).amax(-1), torch.tensor([0.25, 0.5, 0.75])).tolist()])
