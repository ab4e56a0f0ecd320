"""Module and Parameter: registration, traversal, modes, state_dict / load_state_dict, repr."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(3, 1)
        self.register_buffer("running", tg.zeros(3))
        self.register_buffer("scratch", tg.ones(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


# ----- Parameter ----------------------------------------------------------------------------


def test_parameter_is_a_leaf_tensor_sharing_the_array():
    data = tg.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, tg.Tensor) and p.requires_grad and p.is_leaf
    assert p.array is data.array
    assert nn.Parameter(data, requires_grad=False).requires_grad is False


def test_ops_on_a_parameter_are_recorded_and_give_plain_tensors():
    p = nn.Parameter(tg.tensor([1.0, -2.0, 3.0]))
    out = (p * p).sum()  # d/dp = 2p
    assert type(out) is tg.Tensor and out.grad_fn is not None
    out.backward()
    np.testing.assert_array_equal(p.grad.array, [2.0, -4.0, 6.0])
    assert type(p.grad) is tg.Tensor


def test_parameter_as_second_operand_and_through_matmul_is_recorded():
    w = nn.Parameter(tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    x = tg.tensor([[1.0, 1.0]])
    (x @ w.T).sum().backward()  # d/dw_ij = x_j summed over rows: all ones
    np.testing.assert_array_equal(w.grad.array, np.ones((2, 2)))


def test_parameter_repr_and_errors():
    p = nn.Parameter(tg.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(tg.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be a Tensor"):
        nn.Parameter([1.0, 2.0])


def test_parameter_updates_in_no_grad_keep_identity():
    p = nn.Parameter(tg.tensor([1.0, 2.0]))
    (p * 3).sum().backward()
    with tg.no_grad():
        p -= 0.5 * p.grad
    assert isinstance(p, nn.Parameter)
    np.testing.assert_allclose(p.array, [-0.5, 0.5])


def test_deepcopy_of_a_trained_model_is_independent():
    import copy

    m = nn.Sequential(nn.Linear(2, 1))
    m(tg.ones(1, 2)).sum().backward()
    m.zero_grad()
    clone = copy.deepcopy(m)
    assert isinstance(clone[0].weight, nn.Parameter)
    assert clone[0].weight.array is not m[0].weight.array
    np.testing.assert_array_equal(clone[0].weight.array, m[0].weight.array)
    clone(tg.ones(1, 2)).sum().backward()
    assert m[0].weight.grad is None  # the copy's gradient lands in the copy
    np.testing.assert_array_equal(clone[0].weight.grad.array, [[1.0, 1.0]])
    shared = nn.Sequential(m[0], m[0])
    shared_copy = copy.deepcopy(shared)
    assert shared_copy[0].weight is shared_copy[1].weight


# ----- registration and traversal -----------------------------------------------------------


def test_assignment_registers_parameters_children_and_buffers():
    m = TwoLayer()
    assert list(m._modules) == ["fc1", "act", "fc2"]
    assert [n for n, _ in m.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight",
                                                    "fc2.bias"]
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "act", "fc2"]
    assert list(m.children())[0] is m.fc1
    assert len(list(m.modules())) == 4
    assert len(list(m.parameters())) == 4
    assert list(m.parameters(recurse=False)) == []


def test_parameters_of_nested_sequential_have_dotted_names():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1)))
    assert [n for n, _ in m.named_parameters()] == [
        "0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias"]
    assert m.get_submodule("2.1") is m[2][1]


def test_shared_parameter_is_listed_once():
    a = nn.Linear(2, 2)
    m = nn.Sequential(a, a)
    assert len(list(m.parameters())) == 2
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]


def test_reassignment_and_none():
    m = TwoLayer()
    m.fc1 = nn.Identity()
    assert [n for n, _ in m.named_parameters()] == ["fc2.weight", "fc2.bias"]
    m.fc2.bias = None
    assert [n for n, _ in m.named_parameters()] == ["fc2.weight"]
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        m.fc2.weight = tg.zeros(1, 3)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'act'"):
        m.act = 3
    del m.act
    assert "act" not in m._modules
    with pytest.raises(AttributeError, match="'TwoLayer' object has no attribute 'act'"):
        _ = m.act


def test_register_buffer_checks():
    m = nn.Module()
    with pytest.raises(KeyError, match=r'contain "\.", got: a\.b'):
        m.register_buffer("a.b", tg.zeros(1))
    m.x = 1
    with pytest.raises(KeyError, match="attribute 'x' already exists"):
        m.register_buffer("x", tg.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None required"):
        m.register_buffer("y", [1.0])
    m.register_buffer("y", None)
    assert m.y is None and "y" not in m.state_dict()


def test_assign_before_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(tg.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


def test_forward_missing():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(tg.zeros(1))


# ----- modes, gradients, apply ----------------------------------------------------------------


def test_train_eval_propagate_to_all_modules():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    with pytest.raises(ValueError, match="boolean"):
        m.train("no")


def test_zero_grad_set_to_none_and_to_zero():
    m = nn.Linear(2, 1)
    m(tg.ones(3, 2)).sum().backward()
    np.testing.assert_array_equal(m.weight.grad.array, [[3.0, 3.0]])
    m.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(m.weight.grad.array, [[0.0, 0.0]])
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_apply_visits_children_first_then_self():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Tanh()))
    order = []
    assert m.apply(lambda mod: order.append(type(mod).__name__)) is m
    assert order == ["Linear", "Tanh", "Sequential", "Sequential"]


def test_apply_with_init_zeroes_every_linear():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))

    def zero(mod):
        if isinstance(mod, nn.Linear):
            nn.init.zeros_(mod.weight)

    m.apply(zero)
    assert all(not p.array.any() for n, p in m.named_parameters() if n.endswith("weight"))


def test_to_accepts_cpu_and_dtypes_and_rejects_other_devices():
    m = nn.Linear(2, 2)
    assert m.to("cpu") is m and m.cpu() is m and m.weight.dtype == tg.float32
    m.to("cpu", tg.float64)
    assert m.weight.dtype == tg.float64 and m.bias.dtype == tg.float64
    m.to(tg.zeros(1))
    assert m.weight.dtype == tg.float32
    with pytest.raises(RuntimeError, match="'cuda' is not available: tinygrad_edu runs on the CPU"):
        m.to("cuda")
    with pytest.raises(TypeError, match="floating point dtypes"):
        m.to(tg.int64)


def test_requires_grad_and_double():
    m = nn.Linear(2, 2)
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    weight = m.weight
    assert m.double() is m and m.weight is weight and m.weight.dtype == tg.float64
    assert m(tg.ones(1, 2, dtype=tg.float64)).dtype == tg.float64


# ----- state_dict / load_state_dict --------------------------------------------------------


def test_state_dict_keys_order_and_detached_values():
    m = TwoLayer()
    sd = m.state_dict()
    assert list(sd) == ["running", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(type(v) is tg.Tensor and not v.requires_grad for v in sd.values())
    assert sd["fc1.weight"].array is m.fc1.weight.array  # shared, like PyTorch's detach()
    assert m.state_dict(keep_vars=True)["fc1.weight"] is m.fc1.weight


def test_state_dict_round_trip_into_a_fresh_model():
    tg.manual_seed(0)
    a = TwoLayer()
    tg.manual_seed(1)
    b = TwoLayer()
    result = b.load_state_dict(a.state_dict())
    assert result == ([], []) and result.missing_keys == [] and result.unexpected_keys == []
    x = tg.randn(4, 2)
    np.testing.assert_array_equal(a(x).array, b(x).array)
    assert b.fc1.weight.array is not a.fc1.weight.array  # copied, not shared


def _snapshot(m):
    return {k: v.array.copy() for k, v in m.state_dict().items()}


def test_load_state_dict_lists_every_problem_and_changes_nothing():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = _snapshot(m)
    sd = {
        "0.weight": tg.zeros(3, 2),  # fine, but must not be copied since others fail
        "0.bias": tg.zeros(4),  # wrong shape
        "1.weight": tg.zeros(2, 3),  # wrong shape
        "extra": tg.zeros(1),  # unexpected
        "more": tg.zeros(1),  # unexpected
    }  # "1.bias" missing
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    message = str(info.value)
    assert message == (
        "Error(s) in loading state_dict for Sequential:\n"
        '\tMissing key(s) in state_dict: "1.bias". \n'
        '\tUnexpected key(s) in state_dict: "extra", "more". \n'
        "\tsize mismatch for 0.bias: copying a param with shape (4,) from checkpoint, the shape "
        "in current model is (3,).\n"
        "\tsize mismatch for 1.weight: copying a param with shape (2, 3) from checkpoint, the "
        "shape in current model is (1, 3)."
    )
    after = _snapshot(m)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_state_dict_non_strict_reports_keys_and_loads_the_rest():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    result = m.load_state_dict({"0.weight": tg.ones(3, 2), "junk": tg.zeros(1)}, strict=False)
    assert result.missing_keys == ["0.bias", "1.weight", "1.bias"]
    assert result.unexpected_keys == ["junk"]
    np.testing.assert_array_equal(m[0].weight.array, np.ones((3, 2)))
    # Shape mismatches are errors even when not strict (as in PyTorch); nothing is copied.
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        m.load_state_dict({"0.weight": tg.zeros(2, 2), "0.bias": tg.zeros(3)}, strict=False)
    np.testing.assert_array_equal(m[0].weight.array, np.ones((3, 2)))


def test_load_state_dict_wrong_value_type_and_dtype():
    m = nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match='parameter named "weight", expected Tensor'):
        m.load_state_dict({"weight": [[1.0]], "bias": tg.zeros(1)})
    m.register_buffer("count", tg.tensor([0]))
    before = _snapshot(m)
    with pytest.raises(RuntimeError, match="dtype mismatch for count"):
        m.load_state_dict({"weight": tg.ones(1, 1), "bias": tg.zeros(1),
                           "count": tg.tensor([1.5])})
    assert all(np.array_equal(before[k], v) for k, v in _snapshot(m).items())
    m.load_state_dict({"weight": np.full((1, 1), 2.0), "bias": tg.zeros(1, dtype=tg.float64),
                       "count": tg.tensor([7])})
    assert m.weight.item() == 2.0 and m.weight.dtype == tg.float32 and m.count.item() == 7


def test_load_state_dict_assign_replaces_the_tensors():
    m = nn.Linear(2, 1)
    new_weight = tg.tensor([[5.0, 6.0]])
    m.load_state_dict({"weight": new_weight, "bias": tg.tensor([1.0])}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.array is new_weight.array
    assert m.weight.requires_grad


def test_loss_weights_are_buffers_in_state_dict():
    assert list(nn.CrossEntropyLoss(weight=tg.ones(3)).state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    loss = nn.BCEWithLogitsLoss(pos_weight=tg.ones(2))
    assert list(loss.state_dict()) == ["pos_weight"]


# ----- repr -------------------------------------------------------------------------------


def test_repr_of_small_sequential():
    m = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid())
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sigmoid()\n"
        ")"
    )


def test_repr_of_nested_custom_module():
    m = nn.Module()
    m.body = nn.Sequential(nn.Linear(4, 2, bias=False), nn.LeakyReLU(0.2))
    m.head = nn.Softmax(dim=1)
    assert repr(m) == (
        "Module(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=2, bias=False)\n"
        "    (1): LeakyReLU(negative_slope=0.2)\n"
        "  )\n"
        "  (head): Softmax(dim=1)\n"
        ")"
    )


def test_reprs_of_single_layers():
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LogSoftmax(dim=-1)) == "LogSoftmax(dim=-1)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.ModuleList([nn.Tanh(), nn.Tanh(), nn.ReLU()])) == (
        "ModuleList(\n  (0-1): 2 x Tanh()\n  (2): ReLU()\n)"
    )
