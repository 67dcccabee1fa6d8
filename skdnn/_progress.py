"""Progress output of the stochastic loop (``verbose`` and ``progress_bar``)."""

import sys
import time


class Progress:
    """Per-epoch output.

    ``verbose >= 1``: one line per epoch (scikit-learn's ``Iteration N, loss =
    ...`` prefix, then the validation score, learning rate and seconds) and the
    stopping messages, as scikit-learn prints at any ``verbose > 0``.
    ``progress_bar``: a bar over the epochs redrawn in place; with the lines, it
    is erased before each line and redrawn below it, so the lines scroll above
    the bar.
    """

    _WIDTH = 30

    def __init__(self, verbose, total, progress_bar=False):
        self.lines = int(verbose) >= 1
        self.bar = bool(progress_bar)
        self.total = max(int(total), 1)
        self.done = 0
        self.started = time.perf_counter()
        self.drawn = ""  # the bar on screen, if any

    def epoch_done(self, record):
        self.done += 1
        if self.lines:
            parts = ["Iteration %d, loss = %.8f" % (record["epoch"], record["loss"])]
            if record["validation_score"] is not None:
                parts.append("validation score = %.6f" % record["validation_score"])
            parts.append("learning rate = %.4g" % record["learning_rate"])
            parts.append("%.2f s" % record["seconds"])
            # the bar is redrawn just below, with this epoch
            self._print(", ".join(parts), redraw=not self.bar)
        if self.bar:
            filled = int(self._WIDTH * self.done / self.total)
            bar = "#" * filled + "." * (self._WIDTH - filled)
            elapsed = time.perf_counter() - self.started
            line = "[%s] %d/%d epochs, loss %.5g" % (
                bar,
                self.done,
                self.total,
                record["loss"],
            )
            if record["validation_score"] is not None:
                line += ", validation %.4f" % record["validation_score"]
            line += ", %.1f s" % elapsed
            self._draw(line)

    def message(self, text):
        if self.lines:
            self._print(text)

    def close(self):
        if self.drawn:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.drawn = ""

    # ------------------------------------------------------------- helpers
    def _draw(self, line):
        # pad with spaces over a longer previous bar
        sys.stdout.write("\r" + line.ljust(len(self.drawn)))
        sys.stdout.flush()
        self.drawn = line

    def _print(self, text, redraw=True):
        """Print a line above the bar: erase the bar, print, redraw it (unless
        ``redraw`` is False: the caller draws a new one)."""
        bar = self.drawn
        if bar:
            sys.stdout.write("\r" + " " * len(bar) + "\r")
            self.drawn = ""
        print(text)
        if bar and redraw:
            self._draw(bar)
