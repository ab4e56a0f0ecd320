"""The seed documents' hand-derived gradients, as plain numpy functions.

Each function computes a gradient the way one of the seed documents derives
it by hand, with no autograd, so that tests can hold autograd to it. The
documents (in ``shared/seeds/``):

- 000_bd5f771beaa998bf.txt — the sigmoid neuron trained by gradient descent,
  MAE and MSE costs, minibatch SGD;
- 001_1080c03bbd90cbaa.txt — the 2-layer network and its derivation of
  backpropagation (the delta rule, equations 1-12);
- 002_3a5018aa2bccb383.txt — the perceptron rule, backpropagation in scalar
  and in efficient matrix form;
- 003_1ed356cfbcecd68a.txt — sigmoid and softmax, cross-entropy, and the
  gradient of the logistic error.

Where a document has a typo or a sign slip, the function uses the correct
math and its docstring says what the document wrote. Arrays are float64.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


# ----- activations and their derivatives (seed 001, Figure 2; seed 002) ----------------
def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z))  (seed 000; seed 003's "sigmoid")."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z) (1 - σ(z))  (seed 000, stated after the definition of σ)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def identity(z: np.ndarray) -> np.ndarray:
    """g(z) = z: the linear output unit for regression (seed 001, seed 002)."""
    return z


def identity_prime(z: np.ndarray) -> np.ndarray:
    """g'(z) = 1 (seed 001 Code Block 1: ``gPrimeLinear``; seed 002: f'(net) = 1)."""
    return np.ones_like(z)


def tanh(z: np.ndarray) -> np.ndarray:
    """g(z) = tanh(z) (seed 001, seed 002)."""
    return np.tanh(z)


def tanh_prime(z: np.ndarray) -> np.ndarray:
    """g'(z) = 1 - tanh²(z) (seed 001 Code Block 1: ``gPrimeTanh``; seed 002: 1 - ŷ²)."""
    return 1.0 - np.tanh(z) ** 2


ACTIVATIONS: dict = {
    "identity": (identity, identity_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
}
"""name -> (g, g'): the three activations whose derivatives the seeds derive."""


# ----- seed 000: a single sigmoid neuron --------------------------------------------------
def neuron_mae_gradients(x: np.ndarray, y: float, w: np.ndarray, b: float) -> tuple:
    """Gradients of C = |σ(w·x + b) - y| for one example (seed 000).

    Seed 000, the derivation under "Substituting and expanding the cost
    function": ∂C/∂w_i = sgn(a - y) σ'(z) x_i and ∂C/∂b = sgn(a - y) σ'(z),
    with z = w·x + b and a = σ(z), and sgn(0) taken as 0.
    Returns ``(dC/dw, dC/db)``.
    """
    z = np.dot(w, x) + b
    a = sigmoid(z)
    common = np.sign(a - y) * sigmoid_prime(z)
    return common * x, common


def neuron_mse_gradients(x: np.ndarray, y: float, w: np.ndarray, b: float) -> tuple:
    """Gradients of C = ½ (y - a)², a = σ(w·x + b), for one example (seed 000).

    Seed 000 gives ∂C/∂a = -(y - a), so ∂C/∂w_i = -(y - a) σ'(z) x_i and
    ∂C/∂b = -(y - a) σ'(z) (the ``dcost`` of its MSE code times ``dsigmoid``).
    Note the seed's first line, ∂C/∂a_i = Σ_i -(y_i - a_i), is a typo: the
    derivative with respect to one a_i has no sum over i (only that term of
    the cost depends on a_i). Returns ``(dC/dw, dC/db)``.
    """
    z = np.dot(w, x) + b
    a = sigmoid(z)
    common = -(y - a) * sigmoid_prime(z)
    return common * x, common


def minibatch_gradients(
    X: np.ndarray, Y: np.ndarray, w: np.ndarray, b: float, loss: str = "mse"
) -> tuple:
    """The per-example gradients of seed 000's neuron averaged over a minibatch.

    Seed 000 (the SGD version of ``ArtificialNeuron.train``): sum ``dW_i``,
    ``db_i`` over the examples of the minibatch and divide by its size; that
    is the gradient of the mean cost over the batch. (The seed divides by the
    nominal ``minibatch_size`` even for a shorter last batch; this function
    divides by the number of examples actually in ``X``.) ``loss`` is "mse"
    or "mae". Returns ``(dC/dw, dC/db)``.
    """
    per_example = {"mse": neuron_mse_gradients, "mae": neuron_mae_gradients}[loss]
    dw, db = np.zeros_like(w, dtype=np.float64), 0.0
    for x_i, y_i in zip(X, Y):
        dw_i, db_i = per_example(x_i, y_i, w, b)
        dw, db = dw + dw_i, db + db_i
    return dw / len(X), db / len(X)


# ----- seed 002: the perceptron rule and backpropagation in matrix form -------------------
def perceptron_predict(x: np.ndarray, w: np.ndarray, b: float) -> float:
    """ŷ = 1 if w·x + b > 0 else 0 (seed 002, "The Perceptron")."""
    return 1.0 if np.dot(w, x) + b > 0 else 0.0


def perceptron_update(x: np.ndarray, y: float, w: np.ndarray, b: float, alpha: float) -> tuple:
    """One step of the perceptron rule (seed 002, "Perceptron learning").

    w_i ← w_i + α (y - ŷ) x_i,  b ← b + α (y - ŷ), with ŷ from
    ``perceptron_predict``. It is a gradient step on the perceptron criterion
    L = (ŷ - y)(w·x + b) with ŷ held constant: ∂L/∂w = (ŷ - y) x.
    Returns the new ``(w, b)``.
    """
    error = y - perceptron_predict(x, w, b)
    return w + alpha * error * x, b + alpha * error


def layer_backward(
    X: np.ndarray, W: np.ndarray, net: np.ndarray, dloss_dY: np.ndarray, activation: str
) -> tuple:
    """One fully connected layer's backward pass in matrix form (seed 002).

    Seed 002, "Efficient Backpropagation".

    The layer computes NET = X Wᵀ and Y = f(NET) (X: N×I, one example per
    row; W: J×I). Seed 002:

        Δ = f'(NET) * ∂ℓ/∂Y        (entrywise)
        ∂ℓ/∂W = Δᵀ X,   ∂ℓ/∂X = Δ W

    Seed 002 writes the deltas' index as δ_j^(n) = Δ_jn; with one example per
    row it is Δ_nj. Its scalar summary ∂ℓ/∂x_i = δ_j w_ji leaves out the sum
    over j that ``Δ W`` performs. Returns ``(∂ℓ/∂W, ∂ℓ/∂X)``.
    """
    _, f_prime = ACTIVATIONS[activation]
    delta = f_prime(net) * dloss_dY
    return delta.T @ X, delta @ W


def sse_network_gradients(
    X: np.ndarray, T: np.ndarray, weights: Sequence[np.ndarray], activations: Sequence[str]
) -> list:
    """∂E/∂W for every layer of a fully connected net with E = ½ ||Y - T||² (seed 002).

    As seed 002 organises it: each layer's input gets a column of ones for the
    bias ("you must expand each row by the bias 1"), so ``weights[l]`` has
    shape (outputs, inputs + 1) with the bias in the last column; forward
    NET = X Wᵀ, Y = f(NET); backward starts from ∂ℓ/∂Y = Y - T in the last
    layer and runs ``layer_backward`` down, removing the bias column from ∂ℓ/∂X
    before passing it on. Returns the list of ∂E/∂W, shaped like ``weights``.

    Seed 002 also writes the output delta as (y_j - ŷ_j) f'(net_j); the sign is
    slipped there: for E = ½ Σ (y - ŷ)², ∂E/∂ŷ = ŷ - y, as its own matrix
    form (∂ℓ/∂Y = Y - T) says.
    """
    layer_inputs, nets = [], []
    signal = X
    for W, name in zip(weights, activations):
        with_bias = np.hstack([signal, np.ones((signal.shape[0], 1))])
        net = with_bias @ W.T
        layer_inputs.append(with_bias)
        nets.append(net)
        signal = ACTIVATIONS[name][0](net)
    dloss_dY = signal - T
    gradients: list = [None] * len(weights)
    for l in reversed(range(len(weights))):
        gradients[l], dloss_dX = layer_backward(layer_inputs[l], weights[l], nets[l],
                                                dloss_dY, activations[l])
        dloss_dY = dloss_dX[:, :-1]  # drop the bias column
    return gradients


# ----- seed 001: the 2-layer delta rule -----------------------------------------------------
def two_layer_delta_rule(
    X: np.ndarray,
    T: np.ndarray,
    W_hid: np.ndarray,
    b_hid: np.ndarray,
    W_out: np.ndarray,
    b_out: np.ndarray,
    hidden: str = "sigmoid",
    output: str = "sigmoid",
) -> dict:
    """Gradients of E = ½ Σ (a_out - t)² for seed 001's 2-layer network.

    Forward (seed 001, Code Block 4; rows of X are examples, W_hid is
    inputs×hidden, W_out hidden×outputs): z_hid = X W_hid + b_hid,
    a_hid = g_hid(z_hid), z_out = a_hid W_out + b_out, a_out = g_out(z_out).
    Backward, seed 001's derivation:

    - δ_out = g_out'(z_out) (a_out - t), and ∂E/∂W_out = a_hidᵀ δ_out
      (equation 5: ∂E/∂w_jk = δ_k a_j);
    - ∂E/∂b_out = δ_out (equation 6: a bias is a weight on a constant 1);
    - δ_hid = g_hid'(z_hid) ⊙ (δ_out W_outᵀ), and ∂E/∂W_hid = Xᵀ δ_hid
      (equation 11: ∂E/∂w_ij = δ_j x_i);
    - ∂E/∂b_hid = δ_hid (equation 12).

    With several rows the gradients are summed over them (E sums over
    examples). ``hidden`` and ``output`` name the activations: "identity",
    "sigmoid" or "tanh". Returns a dict with keys ``W_hid b_hid W_out b_out``
    and the deltas ``delta_hid``, ``delta_out``.
    """
    g_hid, g_hid_prime = ACTIVATIONS[hidden]
    g_out, g_out_prime = ACTIVATIONS[output]
    z_hid = X @ W_hid + b_hid
    a_hid = g_hid(z_hid)
    z_out = a_hid @ W_out + b_out
    a_out = g_out(z_out)
    delta_out = g_out_prime(z_out) * (a_out - T)
    delta_hid = g_hid_prime(z_hid) * (delta_out @ W_out.T)
    return {
        "W_out": a_hid.T @ delta_out,
        "b_out": delta_out.sum(axis=0),
        "W_hid": X.T @ delta_hid,
        "b_hid": delta_hid.sum(axis=0),
        "delta_out": delta_out,
        "delta_hid": delta_hid,
    }


# ----- seed 003: logistic regression, softmax and cross-entropy ---------------------------
def logistic_gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple:
    """Gradients of the mean logistic error E = -(1/m) Σ [y ln ŷ + (1 - y) ln(1 - ŷ)] (seed 003).

    With ŷ = σ(w·x + b), seed 003 ("Gradient Descent") derives for one point
    ∂E/∂w_j = -(y - ŷ) x_j and ∂E/∂b = -(y - ŷ); the error of the data set is
    the average over the m points (rows of X). Two typos in the seed: its
    update line w'_i ← w_i + α(y + ŷ)x_i should read (y - ŷ), and its bias
    update b' ← b - α(ŷ - y)x_i carries a stray x_i: the bias gradient is
    -(y - ŷ), with no x. Returns ``(dE/dw, dE/db)``.
    """
    y_hat = sigmoid(X @ w + b)
    error = -(y - y_hat)
    return X.T @ error / len(X), float(error.mean())


def binary_cross_entropy(Y: np.ndarray, P: np.ndarray) -> float:
    """-Σ [y ln p + (1 - y) ln(1 - p)] (seed 003, "Cross Entropy"; its ``cross_entropy``)."""
    Y, P = np.asarray(Y, float), np.asarray(P, float)
    return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """P(class i) = e^(z_i) / Σ_j e^(z_j) (seed 003, "Softmax"); the max is subtracted first."""
    shifted = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def softmax_cross_entropy_gradient(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂/∂z of -Σ_n Σ_c y_nc ln softmax(z_n)_c: the classic p - y.

    Seed 003 defines softmax and the multi-class cross-entropy
    -Σ_i Σ_j y_ij ln(p_ij); combined, the gradient with respect to the scores
    is p - y for every row whose targets sum to 1 (one-hot or probabilities).
    For the mean over the N rows (seed 003's 1/m), divide by N.
    """
    return softmax(z, axis=-1) - y
