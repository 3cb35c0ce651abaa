"""Quantiles of Student-t mixtures against scipy: root finding on the exact mixture distribution
function (``scipy.stats.t.cdf`` summed, ``scipy.optimize.brentq``), and the single-t closed form."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from impact.engine.t_mixture import mixture_quantiles


def _scipy_quantile(w: np.ndarray, m: np.ndarray, s: np.ndarray, nu: int, prob: float) -> float:
    def f(q: float) -> float:
        return float((w * stats.t.cdf((q - m) / s, nu)).sum()) - prob

    return float(optimize.brentq(f, (m - 1e3 * s).min(), (m + 1e3 * s).max(), xtol=1e-13))


def test_mixture_quantiles_equal_root_finding_on_scipy_t_distribution() -> None:
    rng = np.random.default_rng(4)
    rows, comps = 60, 3
    w = rng.dirichlet(np.ones(comps), rows)
    w[:10, 1:] = 0.0  # some rows are a single t
    w[:10, 0] = 1.0
    w[10:20, 2] = 1e-15  # a negligible component still sums in
    w[10:20] /= w[10:20].sum(axis=1, keepdims=True)
    m = rng.normal(0, 50, (rows, comps))
    s = rng.uniform(0.1, 30, (rows, comps))
    nu = rng.integers(1, 40, rows)
    probs = (0.05, 0.5, 0.95)
    got = mixture_quantiles(w, m, s, nu, probs)
    for j, prob in enumerate(probs):
        want = np.array([_scipy_quantile(w[i], m[i], s[i], int(nu[i]), prob) for i in range(rows)])
        # the t distribution function is tabulated to within 1e-6: the exact mixture distribution
        # function at the returned quantile is the probability to within that, and near the root
        exact = np.array([(w[i] * stats.t.cdf((got[j][i] - m[i]) / s[i], nu[i])).sum() for i in range(rows)])
        np.testing.assert_allclose(exact, prob, atol=2e-6, err_msg=str(prob))
        np.testing.assert_allclose(got[j], want, atol=1e-3 * s.max())


@pytest.mark.parametrize("nu", [1, 2, 5, 30])
def test_a_single_t_gives_the_closed_form_quantile(nu: int) -> None:
    w, m, s = np.array([[1.0, 0.0]]), np.array([[10.0, -5.0]]), np.array([[2.0, 1.0]])
    low, high = mixture_quantiles(w, m, s, np.array([nu]), (0.05, 0.95))
    assert low[0] == pytest.approx(10 + 2 * stats.t.ppf(0.05, nu), abs=1e-7 * max(1, abs(low[0])))
    assert high[0] == pytest.approx(10 + 2 * stats.t.ppf(0.95, nu), abs=1e-7 * max(1, abs(high[0])))


def test_equal_symmetric_components_give_a_symmetric_band() -> None:
    w, m, s = np.array([[0.5, 0.5]]), np.array([[-3.0, 3.0]]), np.array([[1.0, 1.0]])
    low, mid, high = mixture_quantiles(w, m, s, np.array([8]), (0.05, 0.5, 0.95))
    assert mid[0] == pytest.approx(0.0, abs=1e-6)
    assert low[0] == pytest.approx(-high[0], rel=1e-6)
