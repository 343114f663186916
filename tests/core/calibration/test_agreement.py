"""Agreement figures: Krippendorff's α from the library, pair agreement, the bootstrap."""

from __future__ import annotations

import pytest

from mottagning.calibration.agreement import (
    agreement,
    bootstrap_interval,
    nominal_alpha,
    pair_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers, twelve units, values 1–5 with missing data; the published nominal α is 0.743
# (the `krippendorff` package's documentation reproduces it). Rows here are observers.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# The package's own docstring example: three coders, fifteen units, nominal α = 0.691358.
LIBRARY_DOC = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]


def _units(by_rater: list[list[int | None]]) -> list[list[str | None]]:
    """Observers × units → units × raters, values as text like the form's answers."""
    return [[None if row[unit] is None else str(row[unit]) for row in by_rater]
            for unit in range(len(by_rater[0]))]


def test_nominal_alpha_matches_krippendorffs_published_example_with_missing_data() -> None:
    alpha = nominal_alpha(_units(KRIPPENDORFF_2011), ["1", "2", "3", "4", "5"])
    assert round(alpha, 3) == 0.743


def test_nominal_alpha_matches_the_library_documentation_example() -> None:
    alpha = nominal_alpha(_units(LIBRARY_DOC), ["1", "2", "3", "4"])
    assert round(alpha, 6) == 0.691358


def test_pair_agreement_counts_pairs_within_each_unit_and_skips_missing_answers() -> None:
    share, pairs = pair_agreement([["ja", "ja", "nej"], ["nej", None, "nej"], [None, "ja", None]])
    # unit 1: 3 pairs, 1 agreeing; unit 2: 1 pair, agreeing; unit 3: no pair
    assert pairs == 4
    assert share == pytest.approx(2 / 4)


def test_alpha_is_undefined_rather_than_a_number_when_everybody_gave_the_same_answer() -> None:
    units = [["nej", "nej", "nej"]] * 5
    figures = agreement(units, ["ja", "nej", "vet_ej"], samples=50)
    assert figures.alpha is None
    assert figures.alpha_ci is None
    assert figures.agreement == 1.0
    assert figures.n_raters == 3


def test_the_bootstrap_interval_is_seeded_and_brackets_alpha() -> None:
    units = _units(KRIPPENDORFF_2011)
    domain = ["1", "2", "3", "4", "5"]
    first = bootstrap_interval(units, domain, samples=300)
    second = bootstrap_interval(units, domain, samples=300)
    assert first == second
    low, high = first
    assert low <= nominal_alpha(units, domain) <= high
    assert high <= 1.0
    assert bootstrap_interval(units, domain, samples=300, seed=7) != first


def test_n_raters_counts_raters_who_answered_at_least_once() -> None:
    figures = agreement([["ja", None, "nej"], ["ja", None, "ja"]], ["ja", "nej", "vet_ej"],
                        samples=20)
    assert figures.n_raters == 2
    assert figures.n_units == 2
