"""A makemore-style character MLP (embedding, batch norm, cross-entropy), as tutorials write it.

Plain PyTorch: run it with ``python makemore_mlp.py`` under PyTorch, or with torch
mapped to tinygrad_edu. The words and the starting weights are computed, not
drawn, so both print the same numbers.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

# a small generated word list: syllables glued by a fixed rule
syllables = ["ka", "lo", "mi", "ra", "en", "sa", "to", "vi", "ne", "ul"]
words = [syllables[i % 10] + syllables[(3 * i + 1) % 10] + ("n" if i % 3 == 0 else "")
         for i in range(40)]
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(stoi)

block_size = 3
X, Y = [], []
for w in words:
    context = [0] * block_size
    for ch in w + ".":
        ix = stoi[ch]
        X.append(context)
        Y.append(ix)
        context = context[1:] + [ix]
X, Y = torch.tensor(X), torch.tensor(Y)
print(f"{len(words)} words, vocab {vocab_size}, {X.shape[0]} examples, X {tuple(X.shape)}")


def fixed(shape, scale, phase):
    """Deterministic 'random-looking' weights: scale * sin(0.37 k + phase)."""
    n = 1
    for s in shape:
        n *= s
    return (torch.sin(torch.arange(n).float() * 0.37 + phase) * scale).reshape(shape)


class CharMLP(nn.Module):
    def __init__(self, n_embd=6, n_hidden=40):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, n_embd)
        self.fc1 = nn.Linear(block_size * n_embd, n_hidden, bias=False)
        self.bn = nn.BatchNorm1d(n_hidden)
        self.fc2 = nn.Linear(n_hidden, vocab_size)
        with torch.no_grad():
            self.emb.weight.copy_(fixed(self.emb.weight.shape, 1.0, 0.1))
            self.fc1.weight.copy_(fixed(self.fc1.weight.shape, 0.3, 0.7))
            self.fc2.weight.copy_(fixed(self.fc2.weight.shape, 0.1, 1.3))
            self.fc2.bias.zero_()

    def forward(self, x):
        h = self.emb(x).view(x.shape[0], -1)
        return self.fc2(torch.tanh(self.bn(self.fc1(h))))


model = CharMLP()
print("parameters:", sum(p.numel() for p in model.parameters()))
print("state_dict keys:", list(model.state_dict().keys()))
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[20], gamma=0.2)
for step in range(30):
    logits = model(X)
    loss = F.cross_entropy(logits, Y)
    optimizer.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
    optimizer.step()
    scheduler.step()
    if step % 5 == 0 or step == 29:
        print(f"step {step:2d} loss {loss.item():.5f} grad norm {norm.item():.5f}")

model.eval()
with torch.no_grad():
    print(f"eval loss {F.cross_entropy(model(X), Y).item():.5f}")
    print("running_mean[:3]", [round(v, 5) for v in model.bn.running_mean[:3].tolist()])
    names = []
    for start in range(3):
        context, out = [0, 0, stoi[chars[start]]], chars[start]
        for _ in range(8):
            ix = int(model(torch.tensor([context])).argmax(dim=1).item())
            if ix == 0:
                break
            out += itos[ix]
            context = context[1:] + [ix]
        names.append(out)
    print("greedy samples:", " ".join(names))
