"""The tensor and autograd basics tutorials: creating tensors, attributes, indexing, joining,
arithmetic, in-place ops, the NumPy bridge, and gradients of Q = 3a^3 - b^2."""
import fixed
import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
x_ones = torch.ones_like(x_data)
x_rand = torch.rand_like(x_data, dtype=torch.float)
print("ones like:", x_ones.tolist(), "rand like shape:", list(x_rand.shape), x_np.sum().item())

shape = (2, 3)
print(torch.ones(shape).tolist(), torch.zeros(shape).tolist(), tuple(torch.rand(shape).shape))

tensor = fixed.rand(3, 4)
print(f"Shape of tensor: {tuple(tensor.shape)}")
print(f"Device tensor is stored on: {tensor.device}")
if torch.accelerator.is_available():
    tensor = tensor.to(torch.accelerator.current_accelerator())

tensor = torch.ones(4, 4)
print(f"First row: {tensor[0].tolist()}")
print(f"First column: {tensor[:, 0].tolist()}")
print(f"Last column: {tensor[..., -1].tolist()}")
tensor[:, 1] = 0
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(tuple(t1.shape), t1.sum().item())

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
z1 = tensor * tensor
z2 = tensor.mul(tensor)
print(y1.tolist() == y2.tolist(), z1.tolist() == z2.tolist(), y1.sum().item())

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item).__name__)
tensor.add_(5)
print(tensor[0].tolist())

t = torch.ones(5)
n = t.numpy()
t.add_(1)
print(f"t: {t.tolist()} n: {n.tolist()}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t.tolist()} n: {n.tolist()}")

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a ** 3 - b ** 2
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print((9 * a ** 2 == a.grad).tolist(), (-2 * b == b.grad).tolist())

x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)
print(f"Does `a` require gradients?: {(x + y).requires_grad}")
print(f"Does `b` require gradients?: {(x + z).requires_grad}")
with torch.no_grad():
    print("under no_grad:", (z * 2).requires_grad, z.detach().requires_grad)

w = fixed.randn(3, 2).requires_grad_()
xs = fixed.randn(4, 3)
jac = torch.autograd.functional.jacobian(lambda v: (v @ w).tanh(), xs[0])
hess = torch.autograd.functional.hessian(lambda v: (v @ w).tanh().sum(), xs[0])
print("jacobian", [round(v, 5) for v in jac.flatten().tolist()])
print("hessian", [round(v, 5) for v in hess.flatten().tolist()])
(grad,) = torch.autograd.grad((xs @ w).pow(2).sum(), w)
print("grad", [round(v, 4) for v in grad.flatten().tolist()])
