"""A device-agnostic training loop, as tutorials write it (here the device is the CPU)."""

import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")
torch.backends.cudnn.benchmark = True
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3

rng = np.random.default_rng(1)
features = rng.standard_normal((120, 4)).astype(np.float32)
labels = (features[:, 0] + features[:, 1] > 0).astype(np.int64) + (features[:, 2] > 1)
data = TensorDataset(torch.tensor(features), torch.tensor(labels))
loader = DataLoader(data, batch_size=30)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


model = Net().to(device)
weights = np.random.default_rng(2)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(weights.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
print(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(epochs):
    model.train()
    total = 0.0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    print(f"epoch {epoch}: loss {total / len(data):.4f}")
print(loss)
model.eval()
with torch.no_grad():
    inputs = torch.tensor(features).to(device)
    predictions = model(inputs).argmax(dim=1).cpu()
accuracy = (predictions == torch.tensor(labels)).float().mean()
print(f"accuracy {accuracy.item():.4f}", predictions[:10], predictions.shape, predictions.dtype)
