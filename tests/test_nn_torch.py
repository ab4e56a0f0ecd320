"""PyTorch as the oracle: same weights in, same numbers out; same state_dict keys; same reprs."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402

TF = torch.nn.functional


def to_tg(t, requires_grad=False):
    return tg.tensor(t.detach().numpy().copy(), requires_grad=requires_grad)


def pair(array, requires_grad=True):
    """The same float64 values as a tinygrad_edu and a torch tensor."""
    array = np.asarray(array, dtype=np.float64)
    return (tg.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def copy_weights(ours, theirs):
    ours.load_state_dict({k: to_tg(v) for k, v in theirs.state_dict().items()})


def assert_close(ours, theirs, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=rtol, atol=atol)


# ----- models: keys, reprs, forward and backward -----------------------------------------


class OurNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.body = nn.Sequential(nn.ReLU(), nn.Linear(8, 8), nn.Tanh())
        self.heads = nn.ModuleList([nn.Linear(8, 3), nn.Linear(8, 3)])
        self.register_buffer("scale", tg.ones(3))

    def forward(self, x):
        h = self.body(self.fc1(x))
        return (self.heads[0](h) + self.heads[1](h)) * self.scale


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.body = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.Tanh())
        self.heads = torch.nn.ModuleList([torch.nn.Linear(8, 3), torch.nn.Linear(8, 3)])
        self.register_buffer("scale", torch.ones(3))

    def forward(self, x):
        h = self.body(self.fc1(x))
        return (self.heads[0](h) + self.heads[1](h)) * self.scale


def test_state_dict_keys_and_shapes_match_torch():
    ours, theirs = OurNet(), TorchNet()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (k, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert tuple(a.shape) == tuple(b.shape), k
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


def test_repr_matches_torch():
    assert repr(OurNet()).replace("OurNet", "Net") == repr(TorchNet()).replace("TorchNet", "Net")
    ours = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid())
    assert repr(ours) == repr(theirs)
    layers = [
        (nn.LeakyReLU(), torch.nn.LeakyReLU()), (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
        (nn.LogSoftmax(), torch.nn.LogSoftmax()), (nn.Flatten(), torch.nn.Flatten()),
        (nn.Dropout(0.2), torch.nn.Dropout(0.2)), (nn.Identity(), torch.nn.Identity()),
        (nn.Linear(3, 1, bias=False), torch.nn.Linear(3, 1, bias=False)),
        (nn.MSELoss(), torch.nn.MSELoss()), (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()),
        (nn.ModuleList([nn.Tanh(), nn.Tanh(), nn.Linear(1, 1)]),
         torch.nn.ModuleList([torch.nn.Tanh(), torch.nn.Tanh(), torch.nn.Linear(1, 1)])),
    ]
    for a, b in layers:
        assert repr(a) == repr(b)


def test_parameter_repr_matches_torch():
    ours = nn.Parameter(tg.tensor([1.0, 2.0]))
    theirs = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(ours) == repr(theirs)


def test_same_weights_same_outputs_and_gradients():
    torch.manual_seed(0)
    theirs = TorchNet().double()
    ours = OurNet().double()
    copy_weights(ours, theirs)
    x_np = np.random.default_rng(0).normal(size=(6, 4))
    t_np = np.array([0, 2, 1, 1, 0, 2])
    x, xt = pair(x_np)
    loss = nn.CrossEntropyLoss()(ours(x), tg.tensor(t_np))
    loss_t = torch.nn.CrossEntropyLoss()(theirs(xt), torch.tensor(t_np))
    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-12)
    loss.backward()
    loss_t.backward()
    assert_close(x.grad, xt.grad)
    for (name, p), (_, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, pt.grad), name


def test_torch_loads_our_state_dict():
    ours, theirs = OurNet(), TorchNet()
    result = theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                                     for k, v in ours.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    x = np.random.default_rng(1).normal(size=(2, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(tg.tensor(x)).array,
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5)


def test_load_state_dict_result_and_strict_errors_like_torch():
    ours, theirs = nn.Sequential(nn.Linear(2, 3)), torch.nn.Sequential(torch.nn.Linear(2, 3))
    ours_result = ours.load_state_dict({"0.weight": tg.zeros(3, 2), "x": tg.zeros(1)},
                                       strict=False)
    theirs_result = theirs.load_state_dict({"0.weight": torch.zeros(3, 2), "x": torch.zeros(1)},
                                           strict=False)
    assert tuple(ours_result) == tuple(theirs_result)
    with pytest.raises(RuntimeError) as ours_error:
        ours.load_state_dict({"0.weight": tg.zeros(3, 3), "x": tg.zeros(1)})
    with pytest.raises(RuntimeError) as theirs_error:
        theirs.load_state_dict({"0.weight": torch.zeros(3, 3), "x": torch.zeros(1)})
    # Same lines; PyTorch writes shapes as torch.Size([3, 3]), we write (3, 3).
    ours_lines = str(ours_error.value).split("\n")
    theirs_lines = str(theirs_error.value).replace("torch.Size([3, 3])", "(3, 3)").replace(
        "torch.Size([3, 2])", "(3, 2)").split("\n")
    assert ours_lines == theirs_lines


def test_linear_default_init_has_torch_bounds():
    torch.manual_seed(0)
    tg.manual_seed(0)
    ours, theirs = nn.Linear(50, 40), torch.nn.Linear(50, 40)
    for a, b in [(ours.weight, theirs.weight), (ours.bias, theirs.bias)]:
        bound = 1 / np.sqrt(50)
        assert np.abs(a.array).max() <= bound and b.abs().max().item() <= bound
        assert abs(a.array.std() - b.detach().numpy().std()) < 0.15 * bound


def test_calculate_gain_matches_torch():
    for name in ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "conv2d"]:
        assert nn.init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert nn.init.calculate_gain("leaky_relu", 0.3) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.3))


# ----- layers and functional ------------------------------------------------------------------


ELEMENTWISE = [
    (F.relu, TF.relu), (F.sigmoid, torch.sigmoid), (F.tanh, torch.tanh),
    (F.leaky_relu, TF.leaky_relu),
    (lambda x: F.leaky_relu(x, 0.3), lambda x: TF.leaky_relu(x, 0.3)),
    (lambda x: F.softmax(x, dim=1), lambda x: TF.softmax(x, dim=1)),
    (lambda x: F.log_softmax(x, dim=0), lambda x: TF.log_softmax(x, dim=0)),
    (lambda x: nn.Flatten(0)(x), lambda x: torch.nn.Flatten(0)(x)),
]


@pytest.mark.parametrize("ours, theirs", ELEMENTWISE)
def test_layer_functions_match_torch(ours, theirs):
    x_np = np.array([[-3.0, -0.5, 0.0, 0.5], [2.0, 1000.0, -1000.0, 0.1]])
    g = np.random.default_rng(0).normal(size=(2, 4))
    x, xt = pair(x_np)
    y, yt = ours(x), theirs(xt)
    assert_close(y, yt)
    y.backward(tg.tensor(g.reshape(y.shape)))
    yt.backward(torch.tensor(g.reshape(yt.shape)))
    assert_close(x.grad, xt.grad)


def test_linear_functional_matches_torch():
    x, xt = pair(np.random.default_rng(0).normal(size=(5, 3)))
    w, wt = pair(np.random.default_rng(1).normal(size=(2, 3)))
    b, bt = pair(np.random.default_rng(2).normal(size=(2,)))
    y, yt = F.linear(x, w, b), TF.linear(xt, wt, bt)
    assert_close(y, yt)
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    for a, c in [(x, xt), (w, wt), (b, bt)]:
        assert_close(a.grad, c.grad)


def test_one_hot_matches_torch():
    labels = np.array([[0, 3], [2, 1]])
    np.testing.assert_array_equal(F.one_hot(tg.tensor(labels), 5).array,
                                  TF.one_hot(torch.tensor(labels), 5).numpy())


# ----- losses --------------------------------------------------------------------------------


def run_loss(ours_fn, theirs_fn, x_np, target_ours, target_theirs):
    x, xt = pair(x_np)
    loss, loss_t = ours_fn(x, target_ours), theirs_fn(xt, target_theirs)
    assert_close(loss, loss_t)
    loss.sum().backward()
    loss_t.sum().backward()
    assert_close(x.grad, xt.grad)
    assert np.isfinite(x.grad.array).all()


LOGITS = np.array([[1000.0, -1000.0, 0.0, 2.0], [0.5, -0.25, 3.0, -1000.0],
                   [0.0, 0.0, 0.0, 0.0], [-2.0, 1.0, 0.3, 0.7], [4.0, -3.0, 1.0, 1000.0]])
LABELS = np.array([1, -100, 2, 3, 0])
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.0, 1.5])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [
    {}, {"ignore_index": 2}, {"weight": True}, {"label_smoothing": 0.1},
    {"weight": True, "label_smoothing": 0.25},
], ids=["plain", "ignore2", "weight", "smooth", "weight+smooth"])
def test_cross_entropy_class_indices_matches_torch(reduction, options):
    options = dict(options)
    theirs = dict(options, reduction=reduction)
    ours = dict(options, reduction=reduction)
    if options.pop("weight", False):
        ours["weight"], theirs["weight"] = tg.tensor(CLASS_WEIGHTS), torch.tensor(CLASS_WEIGHTS)
    labels = np.where(LABELS == -100, options.get("ignore_index", -100), LABELS)
    run_loss(nn.CrossEntropyLoss(**ours), torch.nn.CrossEntropyLoss(**theirs), LOGITS,
             tg.tensor(labels), torch.tensor(labels))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probability_targets_matches_torch(reduction, weighted, smoothing):
    q = np.random.default_rng(3).dirichlet(np.ones(4), size=5)
    ours = {"reduction": reduction, "label_smoothing": smoothing}
    theirs = dict(ours)
    if weighted:
        ours["weight"], theirs["weight"] = tg.tensor(CLASS_WEIGHTS), torch.tensor(CLASS_WEIGHTS)
    run_loss(lambda x, t: F.cross_entropy(x, t, **ours),
             lambda x, t: TF.cross_entropy(x, t, **theirs), LOGITS, tg.tensor(q), torch.tensor(q))


def test_cross_entropy_spatial_matches_torch():
    x_np = np.random.default_rng(4).normal(size=(2, 3, 2, 2)) * 5
    t_np = np.array([[[0, 1], [2, -100]], [[1, 1], [0, 2]]])
    run_loss(F.cross_entropy, TF.cross_entropy, x_np, tg.tensor(t_np), torch.tensor(t_np))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    logp = np.log(np.random.default_rng(5).dirichlet(np.ones(4), size=5))
    w = (tg.tensor(CLASS_WEIGHTS), torch.tensor(CLASS_WEIGHTS))
    run_loss(lambda x, t: F.nll_loss(x, t, weight=w[0], reduction=reduction),
             lambda x, t: TF.nll_loss(x, t, weight=w[1], reduction=reduction),
             logp, tg.tensor(LABELS), torch.tensor(LABELS))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("extras", ["none", "pos_weight", "weight", "both"])
def test_bce_with_logits_matches_torch(reduction, extras):
    x_np = np.array([[1000.0, -1000.0, 0.0], [-3.0, 0.5, 20.0]])
    y_np = np.array([[0.0, 1.0, 1.0], [0.2, 0.0, 1.0]])
    pos, w = np.array([3.0, 0.5, 1.0]), np.array([[2.0, 1.0, 0.5]])
    ours, theirs = {"reduction": reduction}, {"reduction": reduction}
    if extras in ("pos_weight", "both"):
        ours["pos_weight"], theirs["pos_weight"] = tg.tensor(pos), torch.tensor(pos)
    if extras in ("weight", "both"):
        ours["weight"], theirs["weight"] = tg.tensor(w), torch.tensor(w)
    run_loss(nn.BCEWithLogitsLoss(**ours), torch.nn.BCEWithLogitsLoss(**theirs), x_np,
             tg.tensor(y_np), torch.tensor(y_np))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_matches_torch_including_clamped_ends(reduction):
    p_np = np.array([0.0, 1e-50, 0.3, 1.0, 1.0, 0.5, 0.999])
    y_np = np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.2, 0.0])
    w = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0])
    run_loss(nn.BCELoss(weight=tg.tensor(w), reduction=reduction),
             torch.nn.BCELoss(weight=torch.tensor(w), reduction=reduction),
             p_np, tg.tensor(y_np), torch.tensor(y_np))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ours, theirs", [(nn.MSELoss, torch.nn.MSELoss),
                                          (nn.L1Loss, torch.nn.L1Loss)])
def test_regression_losses_match_torch(reduction, ours, theirs):
    x_np = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -0.5]])
    y_np = np.array([[0.0, -1.5, 2.5], [1.0, 0.25, -0.5]])
    run_loss(ours(reduction=reduction), theirs(reduction=reduction), x_np,
             tg.tensor(y_np), torch.tensor(y_np))


@pytest.mark.parametrize("ignore_index", [-100, 0, 2])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_and_without_an_ignored_class_is_pytorchs(
        ignore_index, label_smoothing, weighted, reduction):
    # ignore_index -100 takes the path without a mask; 0 and 2 are classes the labels use
    rng = np.random.default_rng(abs(ignore_index) + 7)
    logits, torch_logits = pair(rng.standard_normal((6, 4)))
    labels = np.array([0, 2, 3, 2, 1, 0])
    class_weights = rng.random(4) + 0.5 if weighted else None
    ours = F.cross_entropy(logits, tg.tensor(labels), ignore_index=ignore_index,
                           label_smoothing=label_smoothing, reduction=reduction,
                           weight=None if class_weights is None else tg.tensor(class_weights))
    theirs = TF.cross_entropy(torch_logits, torch.tensor(labels), ignore_index=ignore_index,
                              label_smoothing=label_smoothing, reduction=reduction,
                              weight=None if class_weights is None else torch.tensor(class_weights))
    assert_close(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    assert_close(logits.grad, torch_logits.grad)
