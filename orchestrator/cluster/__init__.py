"""Batches of tasks over a Ray cluster: ``main.py run --tasks FILE --workers N [--ray ADDRESS]``.

- ``worker``: the Ray actor. Each loads the model once (resolving the model
  path itself; no weights travel through Ray's object store) and runs whole
  tasks through the same graph as a single run. It reads the episode store
  for examples but never writes it: it returns each episode to the driver.
- ``driver``: prepares the batch, runs the loop that hands tasks to workers,
  and commits the returned episodes itself, so the store has one writer.
- ``session``: starts (or joins) Ray and sizes the workers to it.
- ``scheduler``: which idle worker runs which task; a task whose worker died
  goes to another worker, and a new worker replaces the dead one.
- ``tasks``: the batch's tasks, what became of each, the batch's timings.
- ``view``: the batch's progress lines and its summary.

A task's id, which is also its episode's id, is derived from the task, its
stub and the settings (not from the worker count), so a task is stored once
however often it runs: running the same command again skips every task
whose episode is in the store and runs the rest. That is how an interrupted
batch is resumed.

Ray is the ``cluster`` extra; only this package imports it, and only when a
batch runs on it.
"""
