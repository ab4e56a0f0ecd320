# Two commands do all of the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
OUT    ?= out/xor

.PHONY: demo test lint bench docs graphviz torch chromium clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[plots]"
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PIP) install --quiet -e ".[test]"   # pytest, hypothesis, the Markdown block runner, MkDocs
	touch $@

# Graphviz's `dot` renders the computation graphs. Install it with the system
# package manager where we can (root or passwordless sudo); otherwise say how.
graphviz:
	@command -v dot >/dev/null 2>&1 || bash .ci/install-graphviz

# Headless Chromium and its driver run the browser tests of the watch_backward page
# (tests/test_viz_watch_browser.py). Installed like Graphviz; without them those tests skip.
chromium:
	@{ test -x /usr/bin/chromium && test -x /usr/bin/chromedriver; } || bash .ci/install-chromium

# PyTorch is only a test oracle: the CPU build, exactly this version, never a
# CUDA build. Where the machine does not offer it, the oracle tests skip.
torch: $(VENV)/.test
	@$(PY) -c "import torch" 2>/dev/null || $(PIP) install --quiet "torch==2.13.0+cpu" || \
	  echo "PyTorch CPU build not available here: the PyTorch-oracle tests will skip."

demo: $(VENV)/.base graphviz
	$(PY) examples/xor.py --out $(OUT)

test: $(VENV)/.test graphviz torch chromium
	$(PY) -m ruff check tinygrad_edu tests examples benchmarks
	$(PY) -m pytest

lint: $(VENV)/.test
	$(PY) -m ruff check tinygrad_edu tests examples benchmarks

# The tutorials' figures, made by full runs of the examples and by the code of
# graph-drawing.md (which writes into out/graph-drawing/, copied here), then the
# docs site: MkDocs with Material, the API reference from the docstrings by
# mkdocstrings, built strict (a broken link or reference fails) into site/.
DOC_EXAMPLES := perceptron neuron_iris logic_gates regression softmax_classification \
                error_surfaces activations backprop_by_hand xor

$(VENV)/.docs: $(VENV)/.base
	$(PIP) install --quiet -e ".[docs,test]"
	touch $@

docs: $(VENV)/.docs graphviz
	@for name in $(DOC_EXAMPLES); do \
	  $(PY) examples/$$name.py --out docs/images/$$name || exit 1; \
	done
	$(PY) -m pytest -q -p no:cacheprovider docs/graph-drawing.md
	mkdir -p docs/images/graph-drawing && cp out/graph-drawing/*.svg docs/images/graph-drawing/
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

bench: $(VENV)/.base
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) out site .pytest_cache .hypothesis
