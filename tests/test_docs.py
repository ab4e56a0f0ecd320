"""Every ```python block of every docs/*.md page runs, in order, one namespace per page.

The blocks run through ``docs_runner.run_page`` (tracebacks carry the page's
line numbers) in a scratch folder, so files they write (graph-drawing.md
renders into docs/images/) stay out of the tree; the folder sees the
repository's ``examples/``. testing-your-own-op.md is run by its own test
(test_docs_testing_page.py). Also: the images and pages the docs link to
exist, and docs/api.md is what ``tools/gen_api.py`` generates now.
"""

import os
import re
import sys
from pathlib import Path

import pytest
from docs_runner import python_blocks, run_page

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md"))
NOT_RUN_HERE = {
    "testing-your-own-op.md",  # tests/test_docs_testing_page.py runs it
    "api.md",  # generated; its ```python blocks are signatures, not programs
}
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CODE = re.compile(r"```.*?```", re.S)


def local_links(text: str) -> list[str]:
    """Targets of Markdown links outside code blocks that are not URLs."""
    return [target for target in LINK.findall(CODE.sub("", text))
            if "://" not in target and not target.startswith("mailto:")]
TUTORIALS = ["01-perceptron.md", "02-gradient-descent.md", "03-backpropagation.md",
             "04-multilayer-networks.md", "05-regression.md", "06-softmax-cross-entropy.md",
             "07-how-the-engine-works.md"]


def test_every_tutorial_exists_and_has_code():
    for name in TUTORIALS:
        assert len(python_blocks(DOCS / name)) >= 2, name
    index = (DOCS / "index.md").read_text("utf-8")
    for name in [*TUTORIALS, "testing-your-own-op.md", "graph-drawing.md", "api.md"]:
        assert f"({name})" in index, f"index.md does not link {name}"


RUNNABLE = [p for p in PAGES if p.name not in NOT_RUN_HERE and python_blocks(p)]


@pytest.mark.parametrize("page", RUNNABLE, ids=[p.name for p in RUNNABLE])
def test_every_python_block_runs(page, tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(REPO / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    namespace = run_page(page)  # raises, with the page's line number, if a block fails
    assert namespace
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_links_to_local_files_resolve(page):
    for target in local_links(page.read_text("utf-8")):
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_readme_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = run_page(REPO / "README.md")
    predictions = namespace["model"](namespace["x"]).reshape(-1).tolist()
    assert [round(p) for p in predictions] == [0, 1, 1, 0]  # XOR learned
    assert namespace["loss"].item() < 0.05


def test_readme_links_resolve():
    links = local_links((REPO / "README.md").read_text("utf-8"))
    assert "docs/images/xor/xor_graph.svg" in links  # the pictures the README promises
    assert "docs/images/xor/xor_decision_boundary.png" in links
    for target in links:
        assert (REPO / target).exists(), f"README.md links to missing {target}"


def test_docs_images_stay_small():
    images = [p for p in (DOCS / "images").rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in images)
    assert total < 3_000_000, f"docs/images holds {total} bytes"  # 150 dpi PNGs


def test_api_reference_is_up_to_date():
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import gen_api
    finally:
        sys.path.remove(str(REPO / "tools"))
    committed = (DOCS / "api.md").read_text("utf-8")
    assert committed == gen_api.render(), "docs/api.md is stale: run `python tools/gen_api.py`"
    assert "### `tinygrad_edu.nn.Linear`" in committed
    assert os.path.getsize(DOCS / "api.md") > 10_000
