"""Batches of tasks over a Ray cluster: ``main.py run --tasks FILE --workers N [--ray ADDRESS]``.

- ``worker``: the Ray actor. Each loads the model once (resolving the model
  path itself; no weights travel through Ray's object store) and runs whole
  tasks through the same graph as a single run. It reads the episode store
  for examples but never writes it: it returns each episode to the driver.
- ``driver``: starts (or joins) Ray, hands tasks to idle workers, retries a
  task whose worker died on another worker, and commits the returned
  episodes itself, so the store has one writer.
- ``view``: the batch's progress line and its summary table.

A task's id, which is also its episode's id, is derived from the task, its
stub and the settings (not from the worker count), so a task is stored once
however often it runs: running the same command again skips every task
whose episode is in the store and runs the rest. That is how an interrupted
batch is resumed.

Ray is the ``cluster`` extra; only this package imports it, and only when a
batch runs on it.
"""
