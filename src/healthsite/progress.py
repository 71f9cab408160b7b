"""Show how far a long build has got: a live counter on a terminal, plain lines in a log, nothing when quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
LONG = 1000  # a stage with fewer items than this is quick: it shows no progress at all
REFRESH_SECONDS = 0.1  # a terminal counter is redrawn at most this often


class Progress:
    """Count the items of long stages on `stream`: 'tty' redraws one line, 'lines' prints one per 1,000."""

    def __init__(self, stream: TextIO | None = None, mode: str = "off"):
        self.stream = stream or sys.stdout
        self.mode = mode

    @classmethod
    def for_stream(cls, stream: TextIO, quiet: bool) -> Progress:
        """Choose the style the stream calls for: nothing when quiet, a counter on a terminal, lines otherwise."""
        if quiet:
            return cls(stream, "off")
        return cls(stream, "tty" if stream.isatty() else "lines")

    def track(self, label: str, items: Iterable[T], total: int | None = None) -> Iterator[T]:
        """Yield `items` unchanged while counting them under `label`."""
        if self.mode == "off" or (total is not None and total < LONG):
            yield from items
            return
        count, drawn = 0, 0.0
        for item in items:
            count += 1
            yield item
            if self.mode == "lines" and count % LONG == 0:
                self._line(label, count, total)
            elif self.mode == "tty" and (total or count >= LONG) and time.monotonic() - drawn >= REFRESH_SECONDS:
                drawn = time.monotonic()
                self.stream.write(f"\r{self._text(label, count, total)}")
                self.stream.flush()
        if self.mode == "lines" and count >= LONG and count % LONG:
            self._line(label, count, total)
        elif self.mode == "tty" and drawn:
            self.stream.write("\r\x1b[K")  # leave the line clean for the summary
            self.stream.flush()

    def _line(self, label: str, count: int, total: int | None) -> None:
        self.stream.write(self._text(label, count, total) + "\n")
        self.stream.flush()

    @staticmethod
    def _text(label: str, count: int, total: int | None) -> str:
        return f"{label}: {count:,}/{total:,}" if total is not None else f"{label}: {count:,}"


def no_progress(label: str, items: Iterable[T], total: int | None = None) -> Iterable[T]:
    """Return `items` as they are: the tracker used when nobody is watching."""
    return items
