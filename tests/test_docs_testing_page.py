"""The "Testing your own op" page runs: every python block, in order."""

from docs_runner import DOCS, python_blocks, run_page

PAGE = DOCS / "testing-your-own-op.md"


def test_the_page_has_code_blocks():
    blocks = python_blocks(PAGE)
    assert len(blocks) >= 8
    assert all(code.strip() for _, code in blocks)


def test_the_page_runs():
    namespace = run_page(PAGE)
    assert "analytical" in namespace["message"]  # the wrong backward was caught
    analytical, numerical = namespace["analytical"], namespace["numerical"]
    assert abs(analytical - numerical) <= 1e-5 + 1e-3 * abs(numerical)  # the big-input check
    assert namespace["by_hand"]["W_hid"].shape == (2, 3)  # the last block ran
