# latent: `make run` opens it, `make test` checks it. Both install what is missing first.

SWIFT ?= swift
# Debian packages the build, the tests and the bundled data need.
APT_PACKAGES := libopenblas-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev libncurses-dev ncurses-term tmux \
                dataset-fashion-mnist libjpeg-turbo-progs python3-torch python3-venv
# The Python companion (python/) runs on Debian's python3-torch through /usr/bin/python3, in a
# virtual environment that sees the system's packages and adds the safetensors library.
PYTHON_ENV := .build/python
SAFETENSORS := safetensors==0.8.0
RELEASE_BIN := .build/release/latent

.PHONY: run test build release deps bench models clean

# Opens the explorer on the bundled model (assets/models/conv2-fashion-mnist.safetensors).
run: deps release
	$(RELEASE_BIN)

test: deps
	$(SWIFT) build
	PYTHONPATH=python $(PYTHON_ENV)/bin/python -m unittest discover -s python/tests
	$(SWIFT) test --disable-swift-testing

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Installs the Debian packages that are missing (apt-get update first; sudo when not root).
# Does nothing, quickly, when everything is present.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@$(PYTHON_ENV)/bin/python -c "import safetensors, torch" 2>/dev/null || { \
	  echo "making $(PYTHON_ENV) (Debian's torch, and $(SAFETENSORS) from PyPI)"; \
	  /usr/bin/python3 -m venv --system-site-packages $(PYTHON_ENV) && \
	  $(PYTHON_ENV)/bin/pip install --quiet --disable-pip-version-check $(SAFETENSORS); }

# Speed against the PyTorch reference: see README.md, "Speed".
bench: deps release
	$(RELEASE_BIN) bench --model mlp20 --epochs 3 --threads 2
	$(RELEASE_BIN) bench --model conv2 --epochs 1 --threads 2

# Retrains the bundled models in assets/models with the commands that made them
# (10 epochs each and 40 for the colour one, seed 1; about 15 minutes on 2 cores).
MODELS_TRAIN := $(RELEASE_BIN) train --epochs 10 --force --json
models: deps release
	$(MODELS_TRAIN) --data fashion-mnist --arch conv2 --out assets/models/conv2-fashion-mnist.safetensors
	$(MODELS_TRAIN) --data fashion-mnist --arch mlp2 --out assets/models/mlp2-fashion-mnist.safetensors
	$(MODELS_TRAIN) --data synthetic --arch conv2 --out assets/models/conv2-synthetic.safetensors
	$(MODELS_TRAIN) --data synthetic --arch mlp2 --out assets/models/mlp2-synthetic.safetensors
	$(RELEASE_BIN) train --epochs 40 --force --json --data sprites --arch rgb32 --out assets/models/rgb32-sprites.safetensors

clean:
	rm -rf .build
