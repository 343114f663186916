"""Agreement between raters: Krippendorff's α (nominal), the share of agreeing pairs, and a
seeded bootstrap interval.

α comes from the `krippendorff` package (kept, tested against Krippendorff's own worked
examples); nothing here re-derives it. Data are units (vignettes) × raters (workers), a
missing answer is None. The bootstrap resamples units with replacement, which keeps each
unit's raters together; the generator is seeded, so the same data always give the same
interval.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

CONFIDENCE = 0.95
BOOTSTRAP_SEED = 20261124

Units = Sequence[Sequence[str | None]]  # one row per unit (vignette), one value per rater


@dataclass(frozen=True)
class Agreement:
    """α (None when undefined: no variation at all, or no unit with two answers), its
    bootstrap interval, the share of agreeing pairs, and how many raters answered."""

    alpha: float | None
    alpha_ci: tuple[float, float] | None
    agreement: float | None
    n_raters: int
    n_units: int
    n_pairs: int


def _value_counts(units: Units, domain: Sequence[str]) -> np.ndarray:
    import numpy as np  # imported when α is computed: the program starts without numpy
    index = {value: position for position, value in enumerate(domain)}
    counts = np.zeros((len(units), len(domain)), dtype=float)
    for row, values in enumerate(units):
        for value in values:
            if value is not None:
                counts[row, index[value]] += 1
    return counts


def _alpha(counts: np.ndarray) -> float | None:
    if counts.shape[0] == 0 or (counts.sum(axis=1) <= 1).all():
        return None
    import krippendorff
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))
    return None if math.isnan(value) else value


def nominal_alpha(units: Units, domain: Sequence[str]) -> float | None:
    """Krippendorff's α for nominal data; None when it is undefined."""
    return _alpha(_value_counts(units, domain))


def pair_agreement(units: Units) -> tuple[float | None, int]:
    """The share of pairs of raters, within each unit, who gave the same answer."""
    agreeing = total = 0
    for values in units:
        given = [value for value in values if value is not None]
        for first, second in combinations(given, 2):
            total += 1
            agreeing += first == second
    return (agreeing / total if total else None), total


def bootstrap_interval(units: Units, domain: Sequence[str], *, samples: int,
                       seed: int = BOOTSTRAP_SEED) -> tuple[float, float] | None:
    """The percentile interval of α over `samples` resamplings of the units."""
    counts = _value_counts(units, domain)
    if _alpha(counts) is None:
        return None
    import numpy as np

    generator = np.random.default_rng(seed)
    values = []
    for _sample in range(samples):
        picked = counts[generator.integers(0, len(units), size=len(units))]
        value = _alpha(picked)
        # A resample without variation has no α; with complete agreement it is 1.
        if value is None and picked.sum() and (picked > 0).sum(axis=1).max() <= 1:
            value = 1.0
        if value is not None:
            values.append(value)
    if not values:
        return None
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def agreement(units: Units, domain: Sequence[str], *, samples: int) -> Agreement:
    """Every figure of one question (or the outcome) over a round's units."""
    share, pairs = pair_agreement(units)
    raters = {position for values in units for position, value in enumerate(values)
              if value is not None}
    return Agreement(
        alpha=nominal_alpha(units, domain),
        alpha_ci=bootstrap_interval(units, domain, samples=samples),
        agreement=share, n_raters=len(raters), n_units=len(units), n_pairs=pairs,
    )


def spread(values: Sequence[str | None]) -> dict[str, int]:
    """How many gave each answer (missing answers left out)."""
    return dict(Counter(value for value in values if value is not None))
