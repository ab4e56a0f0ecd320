"""Every ```python block of every docs/*.md page runs, in order, one namespace per page.

The blocks run in a scratch folder (files they write stay out of the tree)
that sees the repository's ``examples/`` folder, so paths in the docs
work. A block that raises fails the test with the page, the block's
first line number and the error. Also: the images and pages the docs link
to exist, and docs/api.md is what ``tools/gen_api.py`` generates now.
"""

import os
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number of the opening fence, code) for each ```python block, in order."""
    return [(text.count("\n", 0, match.start()) + 1, match.group(1))
            for match in FENCE.finditer(text)]


def test_the_extractor_finds_blocks_in_order_and_skips_other_languages():
    text = "intro\n```python\nx = 1\n```\n```bash\nls\n```\n\n```python\ny = x + 1\n```\n"
    assert python_blocks(text) == [(2, "x = 1\n"), (9, "y = x + 1\n")]


def test_there_are_tutorials_with_code():
    with_code = [page.name for page in PAGES if python_blocks(page.read_text("utf-8"))]
    assert len(with_code) >= 8, with_code


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_python_block_runs(page, tmp_path, monkeypatch):
    blocks = python_blocks(page.read_text("utf-8"))
    if not blocks:
        pytest.skip(f"{page.name} has no python blocks")
    (tmp_path / "examples").symlink_to(REPO / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.syspath_prepend(str(REPO / "examples"))
    import matplotlib

    matplotlib.use("Agg")
    namespace = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for line, code in blocks:
        try:
            exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        except Exception as error:  # noqa: BLE001 - report which block failed, then fail
            pytest.fail(f"{page.name}, block at line {line}: {type(error).__name__}: {error}")
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_links_to_local_files_resolve(page):
    for target in LINK.findall(page.read_text("utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_readme_links_resolve():
    for target in LINK.findall((REPO / "README.md").read_text("utf-8")):
        if "://" not in target:
            assert (REPO / target).exists(), f"README.md links to missing {target}"


def test_docs_images_stay_small():
    images = [p for p in (DOCS / "images").rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in images)
    assert total < 2_000_000, f"docs/images holds {total} bytes"


def test_api_reference_is_up_to_date():
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import gen_api
    finally:
        sys.path.remove(str(REPO / "tools"))
    committed = (DOCS / "api.md").read_text("utf-8")
    assert committed == gen_api.render(), "docs/api.md is stale: run `make docs`"
    assert "### `tinygrad_edu.nn.Linear`" in committed
    assert os.path.getsize(DOCS / "api.md") > 10_000
