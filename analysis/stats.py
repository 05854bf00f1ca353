"""Interval estimates for shares: the Wilson score interval.

Shares in the tables are binomial proportions ``k / n`` (repositories using a
tool out of analysed repositories). The Wilson interval keeps its coverage for
small ``n`` and for shares near 0 or 1, where the textbook Wald interval
collapses to a width of zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson(
    k: Any, n: Any, z: float = Z95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score interval for ``k`` successes out of ``n`` (vectorised).

    Returns ``(low, high)`` arrays; both are NaN where ``n`` is 0.

    >>> low, high = wilson(13, 23)
    >>> round(float(low), 4), round(float(high), 4)
    (0.3681, 0.7437)
    """
    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        z2 = z * z
        denom = 1.0 + z2 / n_arr
        centre = (p + z2 / (2.0 * n_arr)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n_arr + z2 / (4.0 * n_arr * n_arr)) / denom
        low = np.where(k_arr <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k_arr >= n_arr, 1.0, np.clip(centre + half, 0.0, 1.0))
        low = np.where(n_arr > 0, low, np.nan)
        high = np.where(n_arr > 0, high, np.nan)
    return low, high


def share(k: Any, n: Any) -> npt.NDArray[np.float64]:
    """``k / n`` as floats, NaN where ``n`` is 0."""
    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_arr > 0, k_arr / n_arr, np.nan)


def overlap(low_a: float, high_a: float, low_b: float, high_b: float) -> bool:
    """Whether two intervals overlap (used before calling a change a trend)."""
    return not (high_a < low_b or high_b < low_a)
