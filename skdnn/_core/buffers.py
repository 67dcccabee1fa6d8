"""Views of the work buffers (see :mod:`skdnn._core.epoch` for their layout)."""

from numba import njit

from ._jit import KERNEL


@njit(**KERNEL)
def buffer_view(buf, bs, off, nb, units):
    """The (nb, units) array at column offset ``off`` of a work buffer whose
    arrays hold ``bs`` rows: ``buf[bs * off : bs * off + nb * units]``,
    C-contiguous."""
    start = bs * off
    return buf[start : start + nb * units].reshape((nb, units))
