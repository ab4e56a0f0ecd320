"""Save a checkpoint with the optimizer's state mid-training, resume it, and check the resumed
run matches the uninterrupted one, as tutorials do with torch.save / torch.load."""

import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.linspace(-2, 2, 64).reshape(32, 2)
y = (x[:, :1] * x[:, 1:] > 0).float()


def make_model():
    model = nn.Sequential(nn.Linear(2, 8), nn.LayerNorm(8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            n = p.numel()
            p.copy_((torch.cos(torch.arange(n).float() * (0.5 + i)) * 0.5).reshape(p.shape))
    return model


def train(model, optimizer, steps):
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(round(loss.item(), 6))
    return losses


model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05, betas=(0.9, 0.99))
print("first losses:", train(model, optimizer, 5))

path = os.path.join(tempfile.mkdtemp(), "checkpoint.pt")
torch.save({"epoch": 5, "model_state": model.state_dict(),
            "optim_state": optimizer.state_dict(), "note": "halfway", "history": (1, 2.5)}, path)
straight_on = train(model, optimizer, 5)

checkpoint = torch.load(path, map_location="cpu", weights_only=True)
print("epoch:", checkpoint["epoch"], "note:", checkpoint["note"], "history:", checkpoint["history"])
print("optimizer state keys:", sorted(checkpoint["optim_state"]["state"].keys()))
print("betas:", checkpoint["optim_state"]["param_groups"][0]["betas"])
resumed_model = make_model()
resumed_optimizer = torch.optim.Adam(resumed_model.parameters(), lr=0.05)
resumed_model.load_state_dict(checkpoint["model_state"])
resumed_optimizer.load_state_dict(checkpoint["optim_state"])
resumed = train(resumed_model, resumed_optimizer, 5)
print("resumed losses:", resumed)
print("same as uninterrupted:", resumed == straight_on)
os.remove(path)
