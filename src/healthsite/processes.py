"""Tie every helper process to the build that started it, so that none outlives a build however it dies.

A build forks helpers (Markdown pool workers, a page renderer, a related-articles ranker, a cache saver) and runs
Pagefind. Each calls `die_with_parent` first: on Linux the kernel then kills it when the build dies, even by
SIGKILL; elsewhere a thread of the helper's own notices the build is gone within a fifth of a second.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_LIBC = ctypes.CDLL(None)  # this program's C library, loaded once by the build and shared with every helper


class Terminated(KeyboardInterrupt):
    """Raised in the build when it receives SIGTERM, so it stops exactly as on Ctrl-C."""


def stop_on_sigterm() -> None:
    """Make SIGTERM stop this process as Ctrl-C does: unwinding, so the staging folder is removed."""
    signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def die_with_parent(parent: int) -> None:
    """End this helper when `parent`, the build that started it, dies; call it first thing in the helper."""
    if signal.getsignal(signal.SIGTERM) is _terminate:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the build's way of stopping is not the helper's
    if not _kernel_kills_on_parent_death():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the build died before the request above was made
        os._exit(1)


def _kernel_kills_on_parent_death() -> bool:
    """Ask Linux to send SIGKILL when the parent dies; False where that cannot be asked."""
    prctl = getattr(_LIBC, "prctl", None)
    return prctl is not None and prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)
