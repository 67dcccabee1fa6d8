"""OWL-QN: L-BFGS for objectives with an L1 term (Andrew and Gao, 2007).

Minimises ``f(x) + l1 * ||x[:k]||_1`` where ``f`` is smooth; only the first ``k``
coordinates (the connection weights) carry the L1 term. Iterates stay inside one
orthant per line search, so coordinates reach exactly zero. scipy has no orthant-wise
method; this is the published algorithm written with NumPy vector operations.

References
----------
.. [1] Andrew, Gao (2007). Scalable Training of L1-Regularized Log-Linear Models.
   ICML.
"""

from collections import deque

import numpy as np
from scipy.optimize import OptimizeResult


def _pseudo_gradient(x, g, l1, k):
    """The minimum-norm subgradient of ``f + l1 ||x[:k]||_1``."""
    pg = g.copy()
    w, gw = x[:k], g[:k]
    out = pg[:k]
    nz = w != 0
    out[nz] = gw[nz] + l1 * np.sign(w[nz])
    z = ~nz
    right = gw + l1  # derivative going right from 0
    left = gw - l1  # derivative going left from 0
    out[z] = np.where(right[z] < 0, right[z], np.where(left[z] > 0, left[z], 0.0))
    return pg


def _two_loop(q, s_hist, y_hist):
    """L-BFGS two-loop recursion: approximately H^{-1} q."""
    q = q.copy()
    alphas = []
    for s, y in zip(reversed(s_hist), reversed(y_hist), strict=True):
        rho = 1.0 / y.dot(s)
        a = rho * s.dot(q)
        alphas.append((rho, a))
        q -= a * y
    if s_hist:
        s, y = s_hist[-1], y_hist[-1]
        q *= s.dot(y) / y.dot(y)
    for (s, y), (rho, a) in zip(
        zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True
    ):
        b = rho * y.dot(q)
        q += (a - b) * s
    return q


def owlqn(fun, x0, l1, k, *, maxiter, maxfun, gtol, ftol=2.2e-9, m=10, callback=None):
    """Minimise ``fun(x)[0] + l1 * ||x[:k]||_1``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (f, grad)`` of the smooth part.
    x0 : ndarray of shape (n,), float64
    l1 : float
    k : int
        Number of leading coordinates carrying the L1 term.
    maxiter, maxfun : int
        Limits on iterations and evaluations of ``fun``.
    gtol : float
        Stop when the largest pseudo-gradient component is at most ``gtol``.
    ftol : float
        Stop when the relative decrease of the objective is at most ``ftol``
        (scipy's L-BFGS-B default).
    m : int
        Number of correction pairs kept.
    callback : callable, optional
        Called as ``callback(OptimizeResult(x=..., fun=...))`` after each iteration.

    Returns
    -------
    OptimizeResult
        With ``x``, ``fun``, ``nit``, ``nfev``, ``success``, ``status`` and
        ``message`` like scipy's (status 1 means a limit was reached).
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    nfev = 1
    F = f + l1 * np.abs(x[:k]).sum()
    s_hist, y_hist = deque(maxlen=m), deque(maxlen=m)
    status, message = 1, "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT"
    nit = 0
    while nit < maxiter:
        pg = _pseudo_gradient(x, g, l1, k)
        if np.max(np.abs(pg)) <= gtol:
            status, message = 0, "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL"
            break
        d = -_two_loop(pg, s_hist, y_hist)
        # keep only the components that descend along the pseudo-gradient
        dk = d[:k]
        dk[dk * pg[:k] >= 0] = 0.0
        slope = d.dot(pg)
        if slope >= 0:  # memory gave no descent direction: restart
            s_hist.clear()
            y_hist.clear()
            d = -pg
            slope = d.dot(pg)
        orthant = np.sign(x[:k])
        zero = orthant == 0
        orthant[zero] = np.sign(-pg[:k][zero])
        step = 1.0 if s_hist else min(1.0, 1.0 / np.linalg.norm(pg))
        accepted = False
        for _ in range(40):
            xn = x + step * d
            wn = xn[:k]
            wn[np.sign(wn) != orthant] = 0.0
            fn, gn = fun(xn)
            nfev += 1
            Fn = fn + l1 * np.abs(wn).sum()
            if np.isfinite(Fn) and Fn <= F + 1e-4 * pg.dot(xn - x):
                accepted = True
                break
            if nfev >= maxfun:
                break
            step *= 0.5
        if not accepted:
            status, message = 2, "ABNORMAL: LINE SEARCH FAILED"
            break
        s, y = xn - x, gn - g
        if s.dot(y) > 1e-10 * y.dot(y):
            s_hist.append(s)
            y_hist.append(y)
        decrease = (F - Fn) / max(abs(F), abs(Fn), 1.0)
        x, f, g, F = xn, fn, gn, Fn
        nit += 1
        if callback is not None:
            callback(OptimizeResult(x=x, fun=F))
        if decrease <= ftol:
            status, message = 0, "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH"
            break
        if nfev >= maxfun:
            status, message = 1, "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT"
            break
    return OptimizeResult(
        x=x, fun=F, nit=nit, nfev=nfev, success=status == 0, status=status,
        message=message,
    )  # fmt: skip
