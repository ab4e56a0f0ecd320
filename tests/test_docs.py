"""The docs: pages and links, the docs site, and where the code blocks run.

Every ```python block of docs/*.md and README.md runs in the test suite through
pytest-codeblocks (pyproject's testpaths and ``--codeblocks``): the blocks of a
page run in order and share one namespace, because every block after the first
follows a ``<!--pytest-codeblocks:cont-->`` comment (invisible on GitHub and in
the site). Here: the pages exist and link what they should, every relative link
resolves, no page writes into docs/images, and the MkDocs site (Material,
mkdocstrings) builds in strict mode with an API reference free of imported names.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md"))
PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
CONTINUED = "<!--pytest-codeblocks:cont-->"


def python_blocks(page: Path) -> list:
    """The code of each ```python block of ``page``."""
    return PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))


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


@pytest.mark.parametrize("page", [*PAGES, REPO / "README.md"], ids=lambda p: p.name)
def test_the_blocks_of_a_page_run_as_one_program(page):
    """Each ```python block after the first continues the one before it (one namespace)."""
    lines = page.read_text("utf-8").splitlines()
    starts = [k for k, line in enumerate(lines) if re.match(r"^```python\s*$", line)]
    for k in starts[1:]:
        assert lines[k - 1] == CONTINUED, f"{page.name}:{k + 1}: add {CONTINUED} above the block"
    if starts:
        assert lines[starts[0] - 1] != CONTINUED


@pytest.mark.parametrize("page", [*PAGES, REPO / "README.md"], ids=lambda p: p.name)
def test_no_page_writes_into_the_shipped_figures(page):
    for code in python_blocks(page):
        assert "docs/images" not in code, f"{page.name} writes into docs/images: use out/"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_links_to_local_files_resolve(page):
    for target in local_links(page.read_text("utf-8")):
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


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


needs_mkdocs = pytest.mark.skipif(shutil.which("mkdocs", path=str(Path(sys.executable).parent))
                                  is None, reason="MkDocs not installed (the docs extra)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The docs site, built as `make docs` builds it: ``mkdocs build --strict``."""
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                             "-d", str(out)], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@needs_mkdocs
def test_the_docs_site_builds_strict_with_every_page(site):
    for page in PAGES:
        name = "" if page.stem == "index" else page.stem + "/"
        assert (site / name / "index.html").exists(), page.name
    assert (site / "images" / "xor" / "xor_graph.svg").exists()


@needs_mkdocs
def test_the_api_reference_is_built_from_the_docstrings(site):
    html = (site / "api" / "index.html").read_text("utf-8")
    anchors = set(re.findall(r'id="(tinygrad_edu[\w.]*)"', html))
    for name in ("tinygrad_edu.Tensor", "tinygrad_edu.creation.tensor", "tinygrad_edu.arange",
                 "tinygrad_edu.nn.Linear",
                 "tinygrad_edu.nn.init.xavier_uniform_", "tinygrad_edu.optim.SGD",
                 "tinygrad_edu.optim.lr_scheduler.StepLR", "tinygrad_edu.viz.draw_graph",
                 "tinygrad_edu.testing.gradcheck"):
        assert name in anchors, name
    # names a module imports for its own use are not its API
    for name in ("tinygrad_edu.nn.init.Any", "tinygrad_edu.nn.init.no_grad",
                 "tinygrad_edu.optim.lr_scheduler.Callable", "tinygrad_edu.nn.init.math"):
        assert name not in anchors, name
    assert "Draw the graph that produced" in html  # a docstring, rendered
