"""The API contract's promise: a PyTorch training script inside the covered subset runs
unchanged with ``import tinygrad_edu as torch`` and gives the same numbers."""

import numpy as np
import pytest

import tinygrad_edu

real_torch = pytest.importorskip("torch")


def train_and_evaluate(torch) -> dict:
    """A typical PyTorch script; ``torch`` is either PyTorch or tinygrad_edu."""
    F = torch.nn.functional  # noqa: N806 - the usual alias
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 20)).astype(np.float32)  # noqa: N806
    y = (X[:, :3].sum(1) > 0).astype(np.int64) + (X[:, 3] > 1).astype(np.int64)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(20, 32)
            self.fc2 = torch.nn.Linear(32, 3)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x)))

    model = Net()
    weights = np.random.default_rng(1)
    with torch.no_grad():
        for p in model.parameters():
            values = weights.uniform(-0.2, 0.2, size=tuple(p.shape)).astype(np.float32)
            p.copy_(torch.tensor(values))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, targets = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(10):
        model.train()
        for i in range(0, 256, 32):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[i : i + 32]), targets[i : i + 32])
            loss.backward()
            optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(inputs)
        accuracy = (logits.argmax(dim=1) == targets).float().mean().item()
        probabilities = torch.softmax(logits, dim=1)
    return {
        "loss": loss.item(),
        "accuracy": accuracy,
        "probabilities": probabilities.numpy(),
        "lr": scheduler.get_last_lr(),
        "keys": list(model.state_dict()),
        "fc1 shape": tuple(model.state_dict()["fc1.weight"].shape),
    }


def test_same_script_same_numbers():
    theirs = train_and_evaluate(real_torch)
    ours = train_and_evaluate(tinygrad_edu)
    assert ours["keys"] == theirs["keys"] and ours["fc1 shape"] == theirs["fc1 shape"]
    assert ours["lr"] == pytest.approx(theirs["lr"])
    assert ours["accuracy"] == theirs["accuracy"]
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-4)
    np.testing.assert_allclose(ours["probabilities"], theirs["probabilities"], atol=1e-5)


def test_shapes_print_like_torch_size():
    t = tinygrad_edu.zeros(2, 3)
    assert repr(t.shape) == repr(real_torch.zeros(2, 3).shape).replace("torch.", "tinygrad_edu.")
    assert t.shape == (2, 3) and t.size() == real_torch.zeros(2, 3).size()
    assert t.shape.numel() == 6
