"""The watch_backward page in a real browser: headless Chromium driven by Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``make test`` installs
them where it may: ``.ci/install-chromium``) and the ``selenium`` package (the
test extra). Without them these tests skip and say how to install them.
Selenium Manager is kept from going on the network (SE_AVOID_STATS, and the
driver's path is given), and the browser is started without its background
network services.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from test_viz_watch import twin_gradients, xor_network

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd.function import AccumulateGrad
from tinygrad_edu.viz import watch_backward
from tinygrad_edu.viz.walk import GraphWalk, backward_order

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = ("install them with: sudo apt-get install chromium chromium-driver "
           "(or: make chromium), and pip install selenium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=900,1000")


@pytest.fixture(scope="module")
def browser():
    os.environ["SE_AVOID_STATS"] = "true"  # Selenium Manager: no usage statistics sent
    webdriver = pytest.importorskip("selenium.webdriver", reason=f"selenium missing; {INSTALL}")
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            pytest.skip(f"{program} not found, so the browser tests cannot run; {INSTALL}")
    profile = tempfile.mkdtemp(prefix="tg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def write_xor_page(directory: Path, forward: bool) -> dict:
    """The XOR network's page, its record, and the walk of its graph (drawn before backward)."""
    E, params, names, inter = xor_network()  # noqa: N806
    walk = GraphWalk(E.grad_fn)
    path = directory / f"xor_watch_{'forward' if forward else 'backward'}.html"
    watch = watch_backward(E, names, path, title="XOR 2-3-1", forward=forward)
    return {"path": path, "watch": watch, "walk": walk, "params": params, "inter": inter}


@pytest.fixture(scope="module")
def xor_page(tmp_path_factory):
    return write_xor_page(tmp_path_factory.mktemp("watch"), forward=True)


@pytest.fixture(scope="module")
def xor_backward_page(tmp_path_factory):
    return write_xor_page(tmp_path_factory.mktemp("watch"), forward=False)


def open_page(browser, path: Path) -> None:
    browser.get(path.resolve().as_uri())  # file://: no server
    assert browser.execute_script("return document.getElementById('tg-panel').dataset.position")


def click(browser, button: str, times: int = 1) -> None:
    element = browser.find_element("id", f"tg-{button}")
    for _ in range(times):
        element.click()


def click_in_page(browser, button: str, times: int) -> None:
    """Click ``times`` times from inside the page: one round trip instead of ``times``."""
    browser.execute_script(f"for (var i = 0; i < {times}; i++) "
                           f"document.getElementById('tg-{button}').click();")


def position(browser) -> int:
    return int(browser.execute_script(
        "return document.getElementById('tg-panel').dataset.position"))


def shown_numbers(browser, role: str) -> np.ndarray:
    """The full-precision numbers of the panel's array ``role`` (each cell's data-value)."""
    values = browser.execute_script(
        "return Array.from(document.querySelectorAll("
        f"'#tg-panel [data-role=\"{role}\"] td[data-value]')).map(td => td.dataset.value);")
    return np.array([float(v) for v in values])


def current_box(browser) -> list:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('g.node.tg-current')).map(g => g.id);")


def vertex(walk: GraphWalk, i: int) -> str:
    return f"t{i}" if type(walk.nodes[i]) is AccumulateGrad else f"op{i}"


# ----- the tests -------------------------------------------------------------------------------
def test_one_box_per_tensor_and_op(browser, xor_page):
    open_page(browser, xor_page["path"])
    ids = browser.execute_script(
        "return Array.from(document.querySelectorAll('#tg-graph g.node')).map(g => g.id);")
    walk = xor_page["walk"]
    ops = [f"tgv_op{i}" for i, n in enumerate(walk.nodes) if type(n) is not AccumulateGrad]
    tensors = [f"tgv_t{i}" for i in range(len(walk.nodes))]
    assert sorted(ids) == sorted(ops + tensors)
    assert len(ops) == 10 and len(tensors) == 14
    assert browser.get_log("browser") == []  # no script errors


def test_next_k_times_shows_backward_step_k(browser, xor_backward_page):
    page = xor_backward_page
    watch, walk = page["watch"], page["walk"]
    order = backward_order(walk)
    leaf_grads, inter_grads = twin_gradients()
    autograd = {}  # node index -> the gradient autograd gives the tensor of that node
    for name, t in page["inter"].items():
        autograd[walk.index[t.grad_fn]] = inter_grads[name]
    for name, p in page["params"].items():
        autograd[walk.index[p._accumulator]] = leaf_grads[name]
    assert len(autograd) == 8  # the δ's among them: z_out's and z_hid's
    open_page(browser, page["path"])
    for k in range(1, len(order) + 1):
        click(browser, "next")  # k clicks so far
        assert position(browser) == k
        assert current_box(browser) == [f"tgv_{vertex(walk, order[k - 1])}"]  # k-th in order
        shown = shown_numbers(browser, "grad-output")
        np.testing.assert_array_equal(shown, watch.backward_steps[k - 1].grad_output.ravel())
        if order[k - 1] in autograd:  # every digit, as autograd has it
            np.testing.assert_array_equal(shown, autograd[order[k - 1]].ravel())
    click(browser, "prev")
    assert current_box(browser) == [f"tgv_{vertex(walk, order[-2])}"]


def test_forward_steps_and_the_leaves_grad_at_the_end(browser, xor_page):
    watch, walk = xor_page["watch"], xor_page["walk"]
    open_page(browser, xor_page["path"])
    click(browser, "next", 3)  # forward: matmul, add, then the hidden sigmoid
    a_hid = xor_page["inter"]["a_hid"]
    assert current_box(browser) == [f"tgv_op{walk.index[a_hid.grad_fn]}"]
    np.testing.assert_array_equal(shown_numbers(browser, "output"), a_hid.array.ravel())
    coloured = browser.execute_script(
        "return Array.from(document.querySelectorAll('g.edge.tg-fwd-now')).map(g => g.id);")
    assert sorted(coloured) == sorted(f"tge_{a}_to_{b}" for a, b in watch.forward_steps[2].edges)

    click_in_page(browser, "next", len(watch.steps) - 3)
    assert browser.find_element("id", "tg-step-label").text.startswith("backward 14")
    for name, p in xor_page["params"].items():
        cells = browser.execute_script(
            "return Array.from(document.querySelectorAll('#tg-panel [data-leaf=\"t"
            f"{walk.index[p._accumulator]}\"] td[data-value]')).map(td => td.dataset.value);")
        np.testing.assert_array_equal([float(v) for v in cells], p.grad.array.ravel(), name)
    edges = browser.execute_script(
        "return [document.querySelectorAll('g.edge').length, document.querySelectorAll("
        "'g.edge.tg-grad-done, g.edge.tg-grad-now').length];")
    assert edges == [23, 23]  # at the end the gradient has passed along every edge


def test_arrow_keys_slider_and_play(browser, xor_page):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(browser, xor_page["path"])
    body = browser.find_element("tag name", "body")
    for _ in range(3):
        body.send_keys(Keys.ARROW_RIGHT)
    assert position(browser) == 3
    body.send_keys(Keys.ARROW_LEFT)
    assert position(browser) == 2
    body.send_keys(Keys.END)
    assert position(browser) == len(xor_page["watch"].steps)
    body.send_keys(Keys.ARROW_RIGHT)  # stays at the end
    assert position(browser) == len(xor_page["watch"].steps)
    body.send_keys(Keys.HOME)
    assert position(browser) == 0
    browser.execute_script("var s = document.getElementById('tg-slider'); s.value = 12;"
                           "s.dispatchEvent(new Event('input'));")
    assert position(browser) == 12
    click(browser, "play")  # one step a second
    WebDriverWait(browser, 5, poll_frequency=0.1).until(lambda b: position(b) >= 13)
    click(browser, "play")  # pause
    assert browser.find_element("id", "tg-play").text.endswith("Play")
    paused_at = position(browser)
    assert 13 <= paused_at < len(xor_page["watch"].steps)
    click(browser, "reset")
    assert position(browser) == 0


def png_pixels(png: bytes) -> np.ndarray:
    from PIL import Image  # Pillow comes with matplotlib, in the test extra

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64) / 255


def test_screenshots_of_the_first_and_last_step_are_not_blank_and_differ(browser, xor_page,
                                                                         tmp_path):
    open_page(browser, xor_page["path"])
    forward = len(xor_page["watch"].forward_steps)
    click_in_page(browser, "next", forward + 1)
    first = browser.get_screenshot_as_png()
    click_in_page(browser, "next", len(xor_page["watch"].backward_steps) - 1)
    last = browser.get_screenshot_as_png()
    (tmp_path / "first.png").write_bytes(first)
    (tmp_path / "last.png").write_bytes(last)
    a, b = png_pixels(first), png_pixels(last)
    assert a.shape == b.shape and a.shape[1] >= 880
    for pixels in (a, b):
        assert pixels.std() > 0.05  # not one colour
        colours = (pixels * 255).round().astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
        assert len(np.unique(colours)) > 50  # text, boxes, highlights: many colours
        red = (pixels[..., 0] > 0.75) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
        assert red.sum() > 100  # the highlighted node and edges
    assert np.abs(a - b).mean() > 0.005


def test_a_784_256_10_mlp_collapsed_plays_too(browser, tmp_path):
    tg.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    loss = nn.functional.cross_entropy(mlp(tg.randn(32, 784)), tg.randint(0, 10, (32,)))
    watch = watch_backward(loss, mlp, tmp_path / "mlp.html", collapse=nn.Linear)
    open_page(browser, watch.path)
    browser.find_element("tag name", "body").send_keys("\ue010")  # End
    assert current_box(browser) == [f"tgv_{watch.steps[-1].vertex}"] == ["tgv_m0"]
    stats = browser.execute_script(
        "return Array.from(document.querySelectorAll('#tg-panel [data-role=\"leaf-grad-now\"] "
        "td[data-stat]')).map(td => [td.dataset.stat, td.dataset.value]);")
    grad = mlp[0].weight.grad.array.astype(np.float64)
    assert {name: float(value) for name, value in stats} == {
        "min": grad.min(), "max": grad.max(), "mean": grad.mean(),
        "norm": np.linalg.norm(grad.ravel())}
    assert browser.get_log("browser") == []
