"""Shorter garbage-collector pauses with 20,000 products loaded.

CPython 3.11 runs a full collection each time the objects that survived since the last one
exceed a quarter of the long-lived ones, and a full collection visits every tracked
object. With a few areas open at 20,000 products that is ~900,000 objects: one pass took
0.7-1.0 s on the bench machine under load, an area switch that met one took 1.2 s instead
of 0.1 s, and the first visit of the dashboard ran eight of them (1.5 s); measured with
`gc.callbacks`.

What an area has loaded stays until it reloads, so after each full collection everything
still alive moves to the permanent generation (`gc.freeze`): the next pass visits only
what is newer. Frozen objects are still freed by reference counting as soon as they are
no longer used (records, rows, index entries: no cycles); only a cycle among them that
becomes garbage waits for `release()`, which the app calls when it closes a workspace
(the old screens go, with their widget cycles), or for `collect_all()`, which it calls
after a minute without input (finished workers and the like; a pause nobody waits for).

Once the first area is shown, full collections also wait for a quiet moment
(`defer_full_collections`): CPython starts one after every 10 middle-generation
collections, which a few area switches reach (each paint allocates thousands of
objects); a pass over what is not frozen yet then took 25-180 ms under load, in the
middle of one switch out of five. Now the app runs that pass itself after a second
without input (`collect_young_if_due`), and CPython only after 10 times as many (the
backstop for someone who never stops typing).

Installed by `run_app` only: tests run many apps in one process and keep the default.
"""

from __future__ import annotations

import gc


def _freeze_survivors(phase: str, info: dict) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


_DEFAULT_THRESHOLDS = gc.get_threshold()  # (700, 10, 10) in CPython 3.11
DEFERRED_FULL_EVERY = 10  # times CPython's interval, while full collections are deferred


def install() -> None:
    """From now on, freeze what survives a full collection; freeze what is loaded now
    (modules, classes: never garbage)."""
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
    gc.freeze()


def installed() -> bool:
    return _freeze_survivors in gc.callbacks


def release() -> None:
    """Let the collector visit the frozen objects again (the next full collection frees
    their dead cycles, then freezes the survivors again)."""
    gc.unfreeze()


def uninstall() -> None:
    if _freeze_survivors in gc.callbacks:
        gc.callbacks.remove(_freeze_survivors)
    gc.set_threshold(*_DEFAULT_THRESHOLDS)
    gc.unfreeze()


def defer_full_collections() -> None:
    """CPython's own full collections only after DEFERRED_FULL_EVERY times as many middle
    collections; `collect_young_if_due` runs them when nobody waits."""
    young, middle, full = _DEFAULT_THRESHOLDS
    gc.set_threshold(young, middle, full * DEFERRED_FULL_EVERY)


def collect_young_if_due() -> bool:
    """The full collection CPython would have run by now (its count of middle
    collections reached its threshold), over what is not frozen; the survivors are
    frozen (installed). True when it ran."""
    if gc.get_count()[2] < _DEFAULT_THRESHOLDS[2]:
        return False
    gc.collect(2)
    return True


def collect_all() -> None:
    """One full collection over everything, frozen objects included (their dead cycles
    go); what survives is frozen again when installed."""
    gc.unfreeze()
    gc.collect()
