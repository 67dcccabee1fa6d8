"""Progress output of the stochastic loop (``verbose``)."""

import sys
import time


class Progress:
    """Per-epoch output: ``verbose=1`` one line per epoch (scikit-learn's
    ``Iteration N, loss = ...`` prefix, then the validation score, learning rate
    and seconds), ``verbose >= 2`` a progress bar redrawn in place."""

    _WIDTH = 30

    def __init__(self, verbose, total):
        self.level = int(verbose)
        self.total = max(int(total), 1)
        self.done = 0
        self.started = time.perf_counter()
        self.drawn = False

    def epoch_done(self, record):
        self.done += 1
        if self.level == 1:
            parts = ["Iteration %d, loss = %.8f" % (record["epoch"], record["loss"])]
            if record["validation_score"] is not None:
                parts.append("validation score = %.6f" % record["validation_score"])
            parts.append("learning rate = %.4g" % record["learning_rate"])
            parts.append("%.2f s" % record["seconds"])
            print(", ".join(parts))
        elif self.level >= 2:
            filled = int(self._WIDTH * self.done / self.total)
            bar = "#" * filled + "." * (self._WIDTH - filled)
            elapsed = time.perf_counter() - self.started
            line = "\r[%s] %d/%d epochs, loss %.5g" % (
                bar,
                self.done,
                self.total,
                record["loss"],
            )
            if record["validation_score"] is not None:
                line += ", validation %.4f" % record["validation_score"]
            line += ", %.1f s" % elapsed
            sys.stdout.write(line)
            sys.stdout.flush()
            self.drawn = True

    def message(self, text):
        if self.level:
            self.close()
            print(text)

    def close(self):
        if self.drawn:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.drawn = False
