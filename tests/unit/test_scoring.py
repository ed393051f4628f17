"""The quality-of-revenue index, shrinkage and ranks, on cases worked out by hand."""

from __future__ import annotations

import math

import pytest

from coachflow.lib.scoring.index import Caps, Inputs, Weights, formula, quality_index
from coachflow.lib.scoring.ranking import standings
from coachflow.lib.scoring.shrinkage import (
    few_answers,
    fit_beta,
    fit_dirichlet,
    shrink_team_csat,
    shrink_team_nps,
    shrunk_nps,
    shrunk_share,
)


def test_index_leaves_out_missing_parts_and_renormalises() -> None:
    # attainment 1.5 capped at 1.2 → 1.0; repeat 0.5; NPS +20 → 0.6; CSAT 0.8; margin and
    # follow-ups missing. Weights .30 .15 .15 .15 of .75: (.30 + .075 + .09 + .12) / .75 = .78
    result = quality_index(Inputs(attainment=1.5, repeat=0.5, nps=20, csat=0.8), Weights())
    assert result.value == pytest.approx(78.0)
    assert result.missing == ("margin", "followups")
    assert sum(part.weight for part in result.parts) == pytest.approx(1.0)
    assert {part.name: part.score for part in result.parts}["attainment"] == 1.0


def test_index_of_nothing_is_none_not_zero() -> None:
    assert quality_index(Inputs(), Weights()).value is None


def test_cap_and_extremes() -> None:
    caps = Caps(attainment=1.0, margin=2.0)
    only = Weights(attainment=1, margin=1, repeat=0, nps=0, csat=0, followups=0)
    # attainment 0.5 → 0.5; margin 1.0 of cap 2 → 0.5
    assert quality_index(Inputs(attainment=0.5, margin=1.0), only, caps).value == 50.0
    assert quality_index(Inputs(nps=-100, csat=0.0), Weights()).value == 0.0


def test_weights_not_adding_up_are_normalised_and_said() -> None:
    weights = Weights(1, 1, 1, 1, 1, 1)
    assert weights.adjusted
    assert weights.normalised()["nps"] == pytest.approx(1 / 6)
    assert not Weights().adjusted
    with pytest.raises(ValueError, match="weight"):
        Weights(attainment=-1)


def test_formula_prints_the_weights_in_force() -> None:
    text = formula(Weights(2, 0, 0, 1, 1, 0), Caps(), {"attainment": "A", "nps": "NPS"})
    assert text.startswith("index = 100 × (0.50·min(A, 1.2)/1.2 + 0.00·")
    assert "0.25·(NPS + 100)/200" in text


def test_beta_prior_by_moments() -> None:
    # m = 10/20 = .5; shares .8 and .2 → variance .09; sampling .25 × .1 = .025; τ² = .065;
    # κ = .25/.065 − 1 = 37/13. Rep 1: (8 + 37/26) / (10 + 37/13) = 245/334.
    prior = fit_beta([(8, 10), (2, 10)])
    assert prior is not None
    assert prior.mean == (0.5,)
    assert prior.strength == pytest.approx(37 / 13)
    assert shrunk_share(8, 10, prior) == pytest.approx(245 / 334)
    assert shrink_team_csat({1: (8, 10), 2: (2, 10), 3: (0, 0)}) == {
        1: pytest.approx(245 / 334),
        2: pytest.approx(1 - 245 / 334),
        3: None,
    }


def test_beta_prior_pools_fully_when_reps_differ_by_chance_only() -> None:
    # shares .5 and .6: variance .0025 below sampling .2475 × .1 → κ = Σn = 20, m = .55
    prior = fit_beta([(5, 10), (6, 10)])
    assert prior is not None
    assert prior.strength == 20
    assert shrunk_share(5, 10, prior) == pytest.approx(16 / 30)


def test_one_rep_cannot_be_shrunk() -> None:
    assert fit_beta([(3, 3), (0, 0)]) is None
    assert shrunk_share(3, 3, None) == 1.0
    assert shrink_team_nps({7: (3, 0, 0)}) == {7: 100.0}


def test_dirichlet_prior_by_moments() -> None:
    # m = (.4, .2, .4); band variances .04, 0, .04; sampling .24, .16, .24 × .1;
    # Σ τ² = .016, Σ m(1 − m) = .64 → κ = 39. Rep 1: (6 + 15.6 − 2 − 15.6) / 49 = 4/49.
    prior = fit_dirichlet([(6, 2, 2), (2, 2, 6)])
    assert prior is not None
    assert prior.mean == pytest.approx((0.4, 0.2, 0.4))
    assert prior.strength == pytest.approx(39)
    assert shrunk_nps(6, 2, 2, prior) == pytest.approx(400 / 49)
    shrunk = shrink_team_nps({1: (6, 2, 2), 2: (2, 2, 6)})
    assert shrunk[2] == pytest.approx(-400 / 49)


def test_few_answers_below_n() -> None:
    assert few_answers(9)
    assert not few_answers(10)
    assert few_answers(4, threshold=5)
    assert not few_answers(5, threshold=5)


def test_standings_share_ranks_on_ties_and_skip_unknowns() -> None:
    result = standings({1: 10.0, 2: 20.0, 3: 20.0, 4: None})
    assert result[2].rank == result[3].rank == 1
    assert result[1].rank == 3
    assert result[2].percentile == 75.0  # one below, one tie counted half, of two others
    assert result[1].percentile == 0.0
    assert 4 not in result
    assert standings({9: 1.0})[9].percentile is None
    assert math.isclose(standings({1: 0.0, 2: 1.0})[2].percentile or 0, 100.0)


def test_standings_match_counting_every_pair() -> None:
    """The sorted (binary search) ranks equal the definition: one more than those above, the
    percentile from those below and ties counted half."""
    import random

    rng = random.Random(3)
    values = {n: (None if n % 7 == 0 else float(rng.randint(0, 20))) for n in range(200)}
    known = {k: v for k, v in values.items() if v is not None}
    result = standings(values)
    assert set(result) == set(known)
    for key, value in known.items():
        above = sum(1 for other in known.values() if other > value)
        below = sum(1 for other in known.values() if other < value)
        ties = len(known) - above - below - 1
        assert result[key].rank == above + 1
        assert math.isclose(
            result[key].percentile or 0, 100 * (below + ties / 2) / (len(known) - 1)
        )
