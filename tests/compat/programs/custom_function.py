"""Custom autograd Functions (ctx.save_for_backward / ctx.saved_tensors): a Legendre polynomial
P3 used to fit sin(x), and a clamped ReLU checked with gradcheck in double precision."""
import math

import fixed
import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)

learning_rate = 5e-6
for t in range(300):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        print(t, f"{loss.item():.3f}")
    loss.backward()
    with torch.no_grad():
        for parameter in (a, b, c, d):
            parameter -= learning_rate * parameter.grad
            parameter.grad = None
print(f"Result: y = {a.item():.5f} + {b.item():.5f} * P3({c.item():.5f} + {d.item():.5f} x)")

inputs = fixed.randn(4, 3).double().requires_grad_()
inputs = inputs + 0.1 * inputs.sign()  # away from the kink at 0
print("gradcheck:", torch.autograd.gradcheck(MyReLU.apply, (inputs.detach().requires_grad_(),)))
out = MyReLU.apply(inputs)
out.sum().backward()
print("relu grad sum:", out.grad_fn is not None, int((out > 0).sum().item()))
