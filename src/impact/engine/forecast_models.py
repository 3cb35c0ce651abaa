"""The three kinds of series a forecast weighs, each with its exact predictive distribution.

Every series arrives standardised (:class:`Prepared`): time ``t`` in *steps* (the median spacing of
its points) counted from its last point (so the last point is at 0 and the target ``H`` steps
ahead), values ``v`` shifted by the last value and divided by the series' range. The three kinds:

* :func:`ar_trend` — a straight line plus AR(1) noise with autocorrelation ``φ`` between
  consecutive values (one component per ``φ`` of a grid); ``φ = 0`` is the textbook line with
  independent scatter;
* :func:`random_walk` — a random walk with drift (the limit ``φ → 1``: each value is the previous
  one plus the drift plus a new shock; the variance grows with the time between points);
* :func:`level_shift` — a straight line plus independent scatter plus one step of the level after
  point ``k`` (one component per possible ``k``, at least two points on each side). The step's size
  has a normal prior with standard deviation :data:`STEP_PRIOR_SD` noise units, so a model with a
  step competes fairly with one without.

Each kind has a flat prior on level and slope and Jeffreys' prior ``1/σ²`` on its noise scale.
Integrating them out gives, per component, a **log marginal likelihood** (the weight of evidence
for that component, comparable across all three kinds) and a **Student-t predictive distribution
with n − 2 degrees of freedom** whose centre and squared scale are returned: exact prediction
intervals for the value ``H`` steps ahead (``target="level"``) or for the sum of the next ``H``
values (``target="sum"``: the future increments of a cumulative count). With ``φ = 0`` the interval
is the textbook ordinary-least-squares prediction interval; tests compare every kind with a dense
generalised-least-squares (universal kriging) computation per series. A missing period leaves a
gap in time (line, random walk and horizon use the times); the AR(1) correlation links consecutive
values. Everything is vectorised over rows; the AR(1) grid uses sums and lag sums of each row, so
it costs O(rows × grid).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["STEP_PRIOR_SD", "Components", "Prepared", "Target", "ar_trend", "level_shift", "prepare", "random_walk"]

STEP_PRIOR_SD = 4.0  # prior standard deviation of a level shift, in noise units
_TINY = 1e-24  # floor of a residual sum of squares (standardised units): a perfect line stays a line

Target = Literal["level", "sum"]


@dataclass(frozen=True)
class Prepared:
    """Standardised rows: ``t`` (steps, last point 0) and ``v`` (0 at the last point), right-aligned,
    NaN-padded on the left; ``n`` points per row; ``horizon`` steps ahead of the last point."""

    t: np.ndarray
    v: np.ndarray
    valid: np.ndarray
    n: np.ndarray
    horizon: np.ndarray
    noise: np.ndarray  # factor on the variance of future shocks (1: the scatter seen in the window)


@dataclass(frozen=True)
class Components:
    """Per row and component: log marginal likelihood, predictive centre and squared scale (of a
    Student t with n − 2 degrees of freedom); −inf log likelihood where a component does not apply."""

    loglik: np.ndarray
    mean: np.ndarray
    var: np.ndarray


def prepare(x: np.ndarray, y: np.ndarray, at_x: np.ndarray) -> tuple[Prepared, np.ndarray, np.ndarray, np.ndarray]:
    """Standardise right-aligned rows; returns the rows and each row's last value, value scale and step."""
    valid = ~(np.isnan(x) | np.isnan(y))
    n = valid.sum(axis=1)
    width = x.shape[1]
    last_x, last_y = x[:, width - 1], y[:, width - 1]
    rows = np.arange(len(n))
    with np.errstate(invalid="ignore", divide="ignore"):
        gaps = np.sort(np.diff(x, axis=1), axis=1)  # NaN (no pair) sorts last
        k = np.maximum(n - 1, 1)  # valid gaps per row
        step = (gaps[rows, (k - 1) // 2] + gaps[rows, k // 2]) / 2.0 if width > 1 else np.ones(len(n))
        step = np.where(step > 0, step, 1.0)
        low = np.where(valid, y, np.inf).min(axis=1)
        high = np.where(valid, y, -np.inf).max(axis=1)
        scale = np.where(high > low, high - low, 1.0)
        t = np.where(valid, (x - last_x[:, None]) / step[:, None], 0.0)
        v = np.where(valid, (y - last_y[:, None]) / scale[:, None], 0.0)
        horizon = np.maximum((at_x - last_x) / step, 0.0)
    return Prepared(t, v, valid, n, np.nan_to_num(horizon), np.ones(len(n))), last_y, scale, step


def _lag(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Σ (aᵢ bᵢ₋₁ + aᵢ₋₁ bᵢ) over consecutive points (padding is 0, so it adds nothing)."""
    return (a[:, 1:] * b[:, :-1] + a[:, :-1] * b[:, 1:]).sum(axis=1)


def _first(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    return a[np.arange(a.shape[0]), np.clip(a.shape[1] - n, 0, a.shape[1] - 1)]


def ar_trend(p: Prepared, phis: np.ndarray, target: Target) -> Components:
    """Line + AR(1) noise for every ``φ`` in ``phis`` (all < 1); columns follow ``phis``.

    The exact (Prais–Winsten) transform ``z₁ = w₁``, ``zᵢ = (wᵢ − φ wᵢ₋₁)/√(1 − φ²)`` of the value
    and of the two regressors (1, t) whitens the noise; its cross products come from sums, lag sums
    and the first values (the last point is (0, 0)), so the whole grid costs O(rows × grid).
    """
    t, v = p.t, p.v  # 0 outside the points, so plain sums and lag sums see only the points
    n = p.n.astype(float)[:, None]
    t1, v1 = _first(t, p.n)[:, None], _first(v, p.n)[:, None]
    st, sv = t.sum(axis=1)[:, None], v.sum(axis=1)[:, None]
    stt, stv, svv = ((t * t).sum(axis=1)[:, None], (t * v).sum(axis=1)[:, None], (v * v).sum(axis=1)[:, None])
    ltt, ltv, lvv = _lag(t, t)[:, None], _lag(t, v)[:, None], _lag(v, v)[:, None]
    phi = np.asarray(phis, dtype=float)[None, :]
    q2 = 1.0 - phi * phi
    # Σ z_a z_b = a₁b₁ + [Σ_{i≥2} aᵢbᵢ − φ Σ_{i≥2} (aᵢbᵢ₋₁ + aᵢ₋₁bᵢ) + φ² Σ_{i≤n−1} aᵢbᵢ] / (1 − φ²);
    # with the constant 1 for a this is w₁ φ/(1+φ) + Σw (1−φ)/(1+φ), and with the last point at 0
    # it is a₁b₁ (−φ²/(1−φ²)) + Σab (1+φ²)/(1−φ²) − φ/(1−φ²) · lag sum.
    k_first, k_sum = phi / (1.0 + phi), (1.0 - phi) / (1.0 + phi)
    k_sq, k_all, k_lag = -phi * phi / q2, (1.0 + phi * phi) / q2, phi / q2
    a11 = 1.0 + (n - 1.0) * k_sum
    a12 = t1 * k_first + st * k_sum
    b1 = v1 * k_first + sv * k_sum
    a22 = t1 * t1 * k_sq + stt * k_all - ltt * k_lag
    b2 = t1 * v1 * k_sq + stv * k_all - ltv * k_lag
    yy = v1 * v1 * k_sq + svv * k_all - lvv * k_lag
    nu = n - 2.0
    h = p.horizon[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        det = a11 * a22 - a12 * a12
        beta0, beta1 = (a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det
        ssr = np.maximum(yy - beta0 * b1 - beta1 * b2, _TINY)
        # log of |Σ|^(-1/2) |Z'Z|^(-1/2) SSR^(-(n-2)/2), with |Σ| = (1 − φ²)^(n−1) (unit stationary variance)
        loglik = -0.5 * ((n - 1.0) * np.log(q2) + np.log(det) + nu * np.log(ssr))
        rh = np.power(phi, h)  # φ^H: how much of the last deviation is left H steps ahead
        if target == "level":
            c0, c1, noise = 1.0 - rh, h, 1.0 - rh * rh
        else:  # the sum of the next H values
            g = phi * (1.0 - rh) / (1.0 - phi)  # Σ_{i=1..H} φ^i
            c0, c1 = h - g, h * (h + 1.0) / 2.0
            noise = (1.0 + phi) / (1.0 - phi) * (h - 2.0 * g + phi * phi * (1.0 - rh * rh) / q2)
        mean = beta0 * c0 + beta1 * c1
        # parameter part c'(Z'Z)⁻¹c with (Z'Z)⁻¹ = [[a22, −a12], [−a12, a11]] / det
        var = ssr / nu * (p.noise[:, None] * noise + (c0 * (c0 * a22 - 2.0 * c1 * a12) + c1 * c1 * a11) / det)
    return Components(loglik, mean, var)


def random_walk(p: Prepared, target: Target) -> Components:
    """Random walk with drift: increments ``Δv = b Δt + e``, ``Var e = σ² Δt`` (one column)."""
    pair = p.valid[:, 1:] & p.valid[:, :-1]
    dt = np.where(pair, np.diff(p.t, axis=1), 1.0)
    dv = np.where(pair, np.diff(p.v, axis=1), 0.0)
    n = p.n.astype(float)
    nu, h = n - 2.0, p.horizon
    with np.errstate(invalid="ignore", divide="ignore"):
        span = np.where(pair, dt, 0.0).sum(axis=1)  # Σ Δt²/Δt
        drift = dv.sum(axis=1) / span
        ssr = np.maximum(np.where(pair, (dv - drift[:, None] * dt) ** 2 / dt, 0.0).sum(axis=1), _TINY)
        loglik = -0.5 * np.where(pair, np.log(dt), 0.0).sum(axis=1) - 0.5 * np.log(span) - 0.5 * nu * np.log(ssr)
        if target == "level":
            c, noise = h, h
        else:
            c, noise = h * (h + 1.0) / 2.0, h * (h + 1.0) * (2.0 * h + 1.0) / 6.0
        var = ssr / nu * (p.noise * noise + c * c / span)
    return Components(loglik[:, None], (drift * c)[:, None], var[:, None])


def level_shift(p: Prepared, target: Target, prior_sd: float = STEP_PRIOR_SD) -> Components:
    """Line + independent scatter + a step of the level from column ``j`` on, for ``j`` = 2 … width − 2
    of the padded rows (at least two points on each side; −inf log likelihood where the row has
    fewer than two points before ``j``). The step ``δ ~ N(0, (prior_sd σ)²)`` is integrated out."""
    t, v, valid = p.t, p.v, p.valid
    n = p.n.astype(float)
    width = t.shape[1]
    nu, h = n - 2.0, p.horizon
    g = prior_sd * prior_sd
    st, sv = t.sum(axis=1), v.sum(axis=1)
    stt, stv = (t * t).sum(axis=1), (t * v).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        det = n * stt - st * st  # (X'X)⁻¹ = [[stt, −st], [−st, n]] / det for X = (1, t)
        beta0, beta1 = (stt * sv - st * stv) / det, (n * stv - st * sv) / det
        resid = np.where(valid, v - beta0[:, None] - beta1[:, None] * t, 0.0)
        ssr0 = (resid * resid).sum(axis=1)
        cols = np.arange(2, width - 1)
        u_r = np.cumsum(resid[:, ::-1], axis=1)[:, width - 1 - cols]  # u'r: residuals from column j on
        u_t = np.cumsum(t[:, ::-1], axis=1)[:, width - 1 - cols]  # u't
        u_1 = (width - cols).astype(float)[None, :]  # u'1: points from column j on
        k11, k12, k22 = (stt / det)[:, None], (st / det)[:, None], (n / det)[:, None]
        # u'Mu + 1/g, M the residual maker of (1, t)
        dd = u_1 - (k11 * u_1 * u_1 - 2.0 * k12 * u_1 * u_t + k22 * u_t * u_t) + 1.0 / g
        shift = u_r / dd  # posterior mean of the step
        ssr = np.maximum(ssr0[:, None] - u_r * shift, _TINY)
        allowed = cols[None, :] >= (width - p.n)[:, None] + 2
        loglik = np.where(allowed, (-0.5 * (np.log(g) + np.log(det)))[:, None]
                          - 0.5 * (np.log(dd) + nu[:, None] * np.log(ssr)), -np.inf)
        if target == "level":
            c0, c1, future_u, noise = np.ones_like(h), h, np.ones_like(h), np.ones_like(h)
        else:
            c0, c1, future_u, noise = h, h * (h + 1.0) / 2.0, h, h
        a0, a1 = (c0 * stt - c1 * st) / det, (c1 * n - c0 * st) / det  # (X'X)⁻¹ c
        lin = future_u[:, None] - a0[:, None] * u_1 - a1[:, None] * u_t  # c_u − c'(X'X)⁻¹X'u
        mean = (beta0 * c0 + beta1 * c1)[:, None] + shift * lin
        var = ssr / nu[:, None] * ((p.noise * noise + c0 * a0 + c1 * a1)[:, None] + lin * lin / dd)
    return Components(loglik, mean, var)
