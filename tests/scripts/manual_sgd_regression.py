"""Linear regression by hand, the way tutorials write it: parameters updated through .data."""

import numpy as np
import torch

rng = np.random.default_rng(0)
x = torch.from_numpy(rng.uniform(-1, 1, size=(64, 1)).astype(np.float32))
y = 3.0 * x - 0.5 + 0.1 * torch.from_numpy(rng.standard_normal((64, 1)).astype(np.float32))

w = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
print(w, b, sep="\n")
lr = 0.1
for epoch in range(100):
    y_hat = x @ w + b
    loss = ((y_hat - y) ** 2).mean()
    loss.backward()
    for p in (w, b):
        p.data -= lr * p.grad.data
        p.grad.data.zero_()
    if epoch % 25 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.5f}")
print(loss)
print("w", w.data, "b", b.data)
print(f"w={w.item():.4f} b={b.item():.4f}")
