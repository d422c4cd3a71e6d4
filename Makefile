# The course's commands. Run `make help` for the list.
# Everything runs inside a virtual environment (.venv) that the first command creates.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
JUPYTER := $(VENV)/bin/jupyter
NOTEBOOKS := $(sort $(wildcard notebooks/*/*.ipynb))
# quick mode (synthetic samples, tiny epochs) unless the caller says COURSE_QUICK=0
COURSE_QUICK ?= 1
export COURSE_QUICK
# TensorFlow's start-up notices (oneDNN, CPU features) drown the notebooks' own output
TF_CPP_MIN_LOG_LEVEL ?= 2
export TF_CPP_MIN_LOG_LEVEL

.PHONY: help setup course test lab bench samples strip clean demo app

help:
	@echo "make course   run every notebook top to bottom (quick mode), results in build/"
	@echo "make test     unit tests + every notebook executed by pytest --nbmake (quick mode)"
	@echo "make lab      JupyterLab on the course"
	@echo "make bench    latency of the shipped models on one CPU thread"
	@echo "make demo     real-time demo: webcam + microphone in a window (CAMERA=1 for another camera)"
	@echo "make app      the same demo as a web page: http://127.0.0.1:7860 (PORT=N for another port)"
	@echo "make samples  (re)generate the synthetic datasets in data/samples/"
	@echo "make strip    remove outputs from all notebooks before committing"
	@echo "Full mode (real datasets, real recipes): add COURSE_QUICK=0, e.g. make course COURSE_QUICK=0"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

course: setup
	@mkdir -p build
	@for notebook in $(NOTEBOOKS); do \
	  folder=build/$$(dirname $$notebook); mkdir -p $$folder; \
	  echo "== $$notebook"; \
	  COURSE_OUTPUT_DIR=$(CURDIR)/build/outputs $(JUPYTER) nbconvert --to notebook --execute \
	    --ExecutePreprocessor.timeout=1800 --output-dir $$folder $$notebook || exit 1; \
	  $(JUPYTER) nbconvert --to html --log-level WARN --output-dir $$folder \
	    $$folder/$$(basename $$notebook) || exit 1; \
	done
	@echo
	@echo "Executed notebooks with their figures (.ipynb and .html): $(CURDIR)/build/notebooks/"
	@echo "Checkpoints and reports the notebooks wrote:              $(CURDIR)/build/outputs/"

test: setup
	$(PY) -m pytest tests $(NOTEBOOKS) --nbmake --nbmake-timeout=600 -q

lab: setup
	$(JUPYTER) lab notebooks

bench: setup
	$(PY) -m utils.benchmark all

# the real-time demo of notebooks/04_fusion: webcam + microphone, q quits
CAMERA ?= 0
demo: setup
	$(PY) -m utils.realtime --camera $(CAMERA)

# the same demo in the browser (Gradio): open the address it prints, allow camera and microphone
PORT ?= 7860
app: setup
	$(PY) -m utils.app --port $(PORT)

samples: setup
	$(PY) -m utils.datasets.samples --force

strip: setup
	$(VENV)/bin/nbstripout $(NOTEBOOKS)

clean:
	rm -rf build outputs data/samples .pytest_cache
