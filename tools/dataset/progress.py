"""A progress bar on stderr: done/total, rate and time left, redrawn at most every 0.2 s."""

import sys
import time
from typing import TextIO


class Bar:
    """Counts finished samples and draws `[#####.....] 120/200  3.4/s  ETA 0:00:23`."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30):
        self.total, self.width = total, width
        self.stream = stream or sys.stderr
        self.done = 0
        self.resumed = 0
        self.start = time.monotonic()
        self.drawn = 0.0

    def resume(self, count: int) -> None:
        """Counts samples found already made (not part of the rate)."""
        self.resumed += count
        self.done += count
        self.draw()

    def advance(self, count: int = 1) -> None:
        """Counts newly made samples."""
        self.done += count
        if time.monotonic() - self.drawn >= 0.2 or self.done >= self.total:
            self.draw()

    def rate(self) -> float:
        """Samples made per second since the start (resumed ones excluded)."""
        elapsed = time.monotonic() - self.start
        return (self.done - self.resumed) / elapsed if elapsed > 0 else 0.0

    def draw(self) -> None:
        """Redraws the bar in place."""
        self.drawn = time.monotonic()
        filled = self.width * self.done // max(self.total, 1)
        rate = self.rate()
        left = (self.total - self.done) / rate if rate > 0 else 0
        eta = "%d:%02d:%02d" % (left // 3600, left % 3600 // 60, left % 60)
        self.stream.write(
            "\r[%s%s] %d/%d  %.1f/s  ETA %s"
            % ("#" * filled, "." * (self.width - filled), self.done, self.total, rate, eta)
        )
        self.stream.flush()

    def close(self) -> None:
        """Ends the bar's line."""
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
