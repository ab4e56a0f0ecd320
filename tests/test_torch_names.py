"""The graph nodes of the common ops carry PyTorch's names, so ``repr`` prints
``grad_fn=<MeanBackward0>`` where PyTorch does (checked against PyTorch itself)."""

import pytest

import tinygrad_edu

real_torch = pytest.importorskip("torch")

CASES = {
    "mean": lambda t, a: a.mean(), "mean over a dim": lambda t, a: a.mean(0),
    "sum": lambda t, a: a.sum(), "sum over a dim": lambda t, a: a.sum(1),
    "sub": lambda t, a: a - a, "div": lambda t, a: a / 2.0, "neg": lambda t, a: -a,
    "mm": lambda t, a: a @ t.ones(3, 4), "mv": lambda t, a: a @ t.ones(3),
    "dot": lambda t, a: a[0] @ a[1], "batched matmul": lambda t, a: t.ones(2, 4, 2) @ a,
    "pow": lambda t, a: a ** 2, "tanh": lambda t, a: a.tanh(), "sigmoid": lambda t, a: a.sigmoid(),
    "relu": lambda t, a: t.nn.functional.relu(a), "log1p": lambda t, a: a.abs().log1p(),
    "Linear": lambda t, a: t.nn.Linear(3, 2)(a),
    "Linear without bias": lambda t, a: t.nn.Linear(3, 2, bias=False)(a),
    "Linear on 3-d input": lambda t, a: t.nn.Linear(3, 2)(a.unsqueeze(0)),
    "cross_entropy": lambda t, a: t.nn.functional.cross_entropy(a, t.tensor([0, 2])),
    "nll_loss": lambda t, a: t.nn.functional.nll_loss(a, t.tensor([0, 2]), reduction="sum"),
    "mse_loss": lambda t, a: t.nn.functional.mse_loss(a, t.zeros(2, 3)),
    "MSELoss none": lambda t, a: t.nn.MSELoss(reduction="none")(a, t.zeros(2, 3)),
    "l1_loss": lambda t, a: t.nn.functional.l1_loss(a, t.zeros(2, 3)),
    "binary_cross_entropy": lambda t, a: t.nn.functional.binary_cross_entropy(
        a.sigmoid(), t.zeros(2, 3)),
    "BCEWithLogitsLoss": lambda t, a: t.nn.BCEWithLogitsLoss()(a, t.zeros(2, 3)),
    "leaky_relu": lambda t, a: t.nn.functional.leaky_relu(a),
    "view": lambda t, a: a.view(3, 2), "reshape": lambda t, a: a.reshape(-1),
    "flatten": lambda t, a: a.flatten(), "transpose": lambda t, a: a.transpose(0, 1),
    "permute": lambda t, a: a.permute(1, 0), "unsqueeze": lambda t, a: a.unsqueeze(0),
    "squeeze": lambda t, a: a.unsqueeze(0).squeeze(),
    "squeeze(0)": lambda t, a: a[None].squeeze(0),
    "a[0]": lambda t, a: a[0], "a[:, 1:]": lambda t, a: a[:, 1:], "a[0, 1:]": lambda t, a: a[0, 1:],
    "a[:, 0]": lambda t, a: a[:, 0], "a[None]": lambda t, a: a[None],
    "a[[0, 1]]": lambda t, a: a[[0, 1]], "a[mask]": lambda t, a: a[a > 0],
    "softmax": lambda t, a: a.softmax(1), "log_softmax": lambda t, a: a.log_softmax(1),
    "max": lambda t, a: a.max(), "max(dim)": lambda t, a: a.max(1).values,
    "min": lambda t, a: a.min(), "min(dim)": lambda t, a: a.min(0)[0],
    "cat": lambda t, a: t.cat([a, a]), "stack": lambda t, a: t.stack([a, a]),
    "clamp": lambda t, a: a.clamp(min=0), "to(float64)": lambda t, a: a.double(),
    "var": lambda t, a: a.var(), "std": lambda t, a: a.std(1),
    "logsumexp": lambda t, a: a.logsumexp(1),
    "norm": lambda t, a: a.norm(), "split": lambda t, a: a.split(1)[1],
    "chunk": lambda t, a: a.chunk(3, 1)[0], "expand": lambda t, a: a[0:1].expand(4, 3),
}


@pytest.mark.parametrize("case", list(CASES))
def test_node_names_are_pytorchs(case):
    def name(library):
        a = library.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
        return CASES[case](library, a).grad_fn.name()

    assert name(tinygrad_edu) == name(real_torch)


def test_repr_shows_the_name():
    a = tinygrad_edu.tensor([1.0, 3.0], requires_grad=True)
    assert repr(a.mean()) == repr(real_torch.tensor([1.0, 3.0], requires_grad=True).mean())
    assert repr(a.mean()) == "tensor(2., grad_fn=<MeanBackward0>)"


def test_a_renamed_node_still_computes_its_own_gradient():
    a = tinygrad_edu.tensor([1.0, 3.0], requires_grad=True)
    a.mean().backward()
    assert a.grad.tolist() == [0.5, 0.5]
