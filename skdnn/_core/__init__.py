"""Numba kernels of skdnn.

Everything in this package is compiled with Numba in nopython mode. The kernels see
only contiguous NumPy arrays and numbers: no scikit-learn, no Python objects, no I/O.
Configuration (activation, loss, optimizer) arrives as integer codes defined in
:mod:`skdnn._core.codes`, so one compiled specialisation per dtype serves every
configuration.
"""
