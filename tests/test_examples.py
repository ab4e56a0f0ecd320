"""Every example in examples/ runs in --quick mode and reaches the seed's claims.

Each script prints ``outcome: NAME METRIC=VALUE (claim: ...) ok`` lines; the
expectations below are written here independently of the scripts, so a script
that loosened its own check would still fail.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OUTCOME = re.compile(r"^outcome: (\S+) (\S+)=(\S+) \(claim: [^)]*\) (ok|NOT REACHED)$", re.M)

# example -> {(name, metric): (comparison, bound)}; the numbers are the seeds' claims
EXPECTED = {
    "perceptron": {
        ("triangle", "accuracy"): (">=", 1.0),
        ("xor_fails", "errors_in_last_epoch"): (">=", 1),
        ("xor_fails", "best_accuracy"): ("<=", 0.75),
    },
    "neuron_iris": {
        ("iris_mae", "accuracy"): (">=", 1.0),
        ("iris_mse", "accuracy"): (">=", 1.0),
        ("iris_sgd", "accuracy"): (">=", 1.0),
    },
    "logic_gates": {
        ("single_layer_or", "accuracy"): (">=", 0.95),
        ("single_layer_and", "accuracy"): (">=", 0.95),
        ("single_layer_xor", "accuracy"): ("<", 0.8),
        ("two_layer_xor", "accuracy"): (">=", 1.0),
        ("ring", "accuracy"): (">=", 0.95),
    },
    "regression": {
        ("regression_sin", "mse"): ("<", 0.35),
        ("regression_abs", "mse"): ("<", 0.35),
    },
    "softmax_classification": {
        ("seed_softmax_A", "abs_difference"): ("<", 0.005),
        ("seed_p_all", "abs_difference"): ("<", 1e-6),
        ("seed_doors_ce", "abs_difference"): ("<", 0.005),
        ("cross_entropy_matches_nn", "abs_difference"): ("<", 1e-5),
        ("softmax_train", "accuracy"): (">=", 0.95),
        ("softmax_test", "accuracy"): (">=", 0.9),
    },
    "error_surfaces": {
        ("one_weight_monotone", "fraction_decreasing"): (">=", 1.0),
        ("two_weight_plateaus", "flat_fraction"): (">=", 0.25),
        ("xor_local_minimum", "local_minima_above_lowest"): (">=", 1),
    },
    "activations": {
        ("derivative_identity", "max_abs_difference"): ("<", 1e-6),
        ("derivative_sigmoid", "max_abs_difference"): ("<", 1e-6),
        ("derivative_tanh", "max_abs_difference"): ("<", 1e-6),
        ("derivative_relu", "max_abs_difference"): ("<", 1e-6),
    },
    "backprop_by_hand": {
        ("delta_rule_vs_autograd", "max_abs_difference"): ("<", 1e-10),
        ("sgd_step", "max_abs_difference"): ("<", 1e-10),
    },
    "xor": {
        ("xor", "accuracy"): (">=", 1.0),
    },
}

FIGURES = {  # files each example must leave in --out
    "perceptron": ["perceptron_epochs.png", "perceptron_xor.png"],
    "neuron_iris": ["neuron_mae.png", "neuron_mse.png", "neuron_sgd.png"],
    "logic_gates": ["single_layer_or.png", "single_layer_and.png", "single_layer_xor.png",
                    "two_layer_xor.png", "two_layer_ring.png"],
    "regression": ["regression_sin.png", "regression_abs.png"],
    "softmax_classification": ["softmax_iris.png"],
    "error_surfaces": ["error_surface_simple.png", "error_surface_xor.png"],
    "activations": ["activations.png"],
    "backprop_by_hand": [],  # the graph: SVG with dot, DOT text without; checked below
    "xor": ["xor_loss.png", "xor_decision_boundary.png", "xor_graph.dot"],
}

COMPARE = {">=": lambda v, b: v >= b, "<=": lambda v, b: v <= b, "<": lambda v, b: v < b}


def run_example(name: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, f"examples/{name}.py", "--quick", "--out", str(out), *extra],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )


def test_every_example_script_is_listed():
    scripts = {p.stem for p in (REPO / "examples").glob("*.py")} - {"common"}
    assert scripts == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_reaches_its_claims_in_quick_mode(name, tmp_path):
    result = run_example(name, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    outcomes = {(n, metric): (float(value), verdict)
                for n, metric, value, verdict in OUTCOME.findall(result.stdout)}
    for key, (comparison, bound) in EXPECTED[name].items():
        assert key in outcomes, f"{name} printed no outcome {key}:\n{result.stdout}"
        value, verdict = outcomes[key]
        assert verdict == "ok", key
        assert COMPARE[comparison](value, bound), f"{name} {key}: {value} not {comparison} {bound}"
    assert all(verdict == "ok" for _, verdict in outcomes.values())
    for figure in FIGURES[name]:
        path = tmp_path / figure
        assert path.is_file() and path.stat().st_size > 1000, figure
        if figure.endswith(".png"):
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", figure


def test_backprop_by_hand_prints_both_gradients_and_renders_the_graph(tmp_path):
    result = run_example("backprop_by_hand", tmp_path)
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"^dE/dW_out\[(\d),0\]\s+(-?\d\.\d+)\s+(-?\d\.\d+)\s+(\S+)$",
                      result.stdout, re.M)
    assert [row[0] for row in rows] == ["0", "1", "2"]
    for _, by_hand, by_autograd, difference in rows:
        assert by_hand == by_autograd  # equal to the 12 printed decimals
        assert abs(float(difference)) < 1e-10
    svg, dot = tmp_path / "backprop_graph.svg", tmp_path / "backprop_graph.dot"
    assert svg.is_file() or dot.is_file()
    if svg.is_file():
        text = svg.read_text()
        assert "W_hid" in text and "#1" in text  # parameters named, backward order numbered


def test_xor_demo_writes_the_graph_with_names_gradients_and_order(tmp_path):
    result = run_example("xor", tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"outputs in {tmp_path}/" in result.stdout
    dot = (tmp_path / "xor_graph.dot").read_text()
    for name in ("W_hid", "b_hid", "W_out", "b_out", "a_out", "grad", "#1 "):
        assert name in dot, name


def test_xor_demo_without_graphviz_writes_the_dot_text_and_says_how_to_install(tmp_path):
    env = {"PATH": str(Path(sys.executable).parent), "MPLBACKEND": "Agg",  # no `dot` on PATH
           "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "examples/xor.py", "--quick", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "xor_graph.dot").read_text().startswith("digraph")
    assert not (tmp_path / "xor_graph.svg").exists()
    assert "apt-get install graphviz" in result.stderr
    assert f"dot -Tsvg {tmp_path / 'xor_graph.dot'}" in result.stderr


def test_a_claim_that_is_not_reached_gives_a_nonzero_exit(tmp_path):
    # one epoch of the 2-3-1 network cannot learn XOR: the script must say so and fail
    result = run_example("xor", tmp_path, "--epochs", "1")
    assert result.returncode == 1
    assert re.search(r"^outcome: xor accuracy=\S+ \(claim: >= 1\) NOT REACHED$", result.stdout,
                     re.M)


HIDE_MODULE = """
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == {module!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Hide())
"""


@pytest.mark.parametrize("module", ["matplotlib", "tqdm"])
def test_without_the_plots_extra_an_example_says_what_to_install(tmp_path, module):
    (tmp_path / "sitecustomize.py").write_text(HIDE_MODULE.format(module=module))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
    result = subprocess.run([sys.executable, str(REPO / "examples" / "perceptron.py"),
                             "--quick", "--out", str(tmp_path / "out")],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"This example needs {module}, which is not installed" in result.stderr
    assert 'pip install -e ".[plots]"' in result.stderr and ".venv/bin/python" in result.stderr
