.PHONY: run test eval bench ingest

run:      ## install and start the assistant on http://127.0.0.1:8000
	bash scripts/run.sh $(ARGS)

test:     ## install and run the tests and the smoke eval
	bash scripts/test.sh

ingest:   ## (re)build the index from corpus/
	bash scripts/bootstrap.sh runtime && .venv/bin/python -m ingest

eval:     ## full eval on the dev set with report and baselines
	bash scripts/bootstrap.sh dev && .venv/bin/python -m evals --baselines
