"""A map-style Dataset through DataLoader with worker processes, as tutorials write it."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        x = torch.tensor([i / self.n, (i % 7) / 7.0])
        return x, torch.tensor([x[0].item() ** 2 + 0.5 * x[1].item()])


def batches(loader):
    return [(xb.sum().item(), yb.shape[0]) for xb, yb in loader]


if __name__ == "__main__":
    data = Squares(50)
    plain = DataLoader(data, batch_size=8, shuffle=False, num_workers=0)
    workers = DataLoader(data, batch_size=8, shuffle=False, num_workers=2,
                         persistent_workers=True, pin_memory=False)
    print("batches:", len(workers))
    print("same batches:", batches(plain) == batches(workers))

    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_((torch.sin(torch.arange(p.numel()).float() + i) * 0.4).reshape(p.shape))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=1, factor=0.5)
    loss_fn = nn.SmoothL1Loss(beta=0.5)
    for epoch in range(4):
        total = 0.0
        for xb, yb in workers:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
        scheduler.step(total)
        print(f"epoch {epoch} loss {total / len(data):.6f} lr {optimizer.param_groups[0]['lr']}")
    print("done")
