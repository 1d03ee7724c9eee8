# Set-up, run and test. Every target sets up what it needs first, and does
# nothing again when nothing changed. Set-up also assembles the default model
# and installs (and compiles) the verification sandbox's CPython WASI build.
#
# llama-cpp-python is compiled from source once per CMAKE_ARGS and kept in a
# wheelhouse keyed by those flags. The default is a portable CPU build
# (a native build crashes on some CPUs); for a GPU build run for example
#   make setup CMAKE_ARGS="-DGGML_CUDA=on"

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LLAMA_VERSION := 0.3.36
CMAKE_ARGS ?= -DGGML_NATIVE=OFF
WHEEL_KEY := $(shell printf '%s' "$(LLAMA_VERSION) $(CMAKE_ARGS)" | sha256sum | cut -c1-16)
WHEELHOUSE := $(HOME)/.cache/supercoder/wheels/$(WHEEL_KEY)
STAMP := $(VENV)/.setup-$(WHEEL_KEY)
TASK ?=

.PHONY: setup run test lint check clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "Building llama-cpp-python $(LLAMA_VERSION) with CMAKE_ARGS='$(CMAKE_ARGS)' (once; several minutes)"; \
	  CMAKE_ARGS="$(CMAKE_ARGS)" $(PY) -m pip wheel --quiet --no-deps --no-cache-dir \
	    --no-binary llama-cpp-python -w $(WHEELHOUSE) llama-cpp-python==$(LLAMA_VERSION); }
	@$(PY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
	  $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench,cluster]'
	@$(PY) -m orchestrator.model_setup
	@$(PY) -m verify.runtime
	@rm -f $(VENV)/.setup-*
	@touch $(STAMP)

run: setup
	@$(PY) main.py "$(TASK)"

lint: setup
	$(PY) -m ruff check .
	$(PY) -m pyright

test: lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
