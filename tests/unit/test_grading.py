"""Grading arithmetic: weights, renormalisation, thresholds and caps, checked by hand."""

import pytest

from services.assessment.domain.cycle import DEFAULT_CAPS
from services.assessment.domain.grading import BallotGroup, grade

WEIGHTS = {"self_assessment": 20, "ballots": 40, "superior": 40}
THRESHOLDS = {"advanced": 85, "average": 70}


def graded(self_score=90, superior=90, members=(10, 900.0, 100.0), masses=(10, 900.0, 95.0), problems=(), k=5):
    ballots = {"members": BallotGroup(*members), "masses": BallotGroup(*masses)}
    return grade(WEIGHTS, THRESHOLDS, DEFAULT_CAPS, k, self_score, superior, ballots, set(problems))


def test_the_total_is_the_weighted_mean_of_the_three_sources():
    result = graded(self_score=80, superior=95, members=(10, 800.0, 100.0), masses=(10, 1000.0, 100.0))
    # ballots: (800 + 1000) / 20 = 90; total = 0.2*80 + 0.4*90 + 0.4*95 = 90
    assert result["sources"]["ballots"]["score"] == 90
    assert result["total"] == 90 and result["category"] == "advanced"
    assert not result["renormalised"]


def test_a_missing_source_is_left_out_and_the_others_renormalised():
    result = graded(self_score=80, superior=None, members=(10, 700.0, 100.0), masses=(10, 700.0, 100.0))
    # (0.2*80 + 0.4*70) / 0.6 = 44/0.6 = 73.33
    assert result["renormalised"] is True
    assert result["sources"]["superior"]["present"] is False
    assert result["sources"]["self_assessment"]["effective_weight"] == pytest.approx(1 / 3, abs=1e-4)
    assert result["total"] == 73.33 and result["category"] == "average"


def test_a_ballot_group_smaller_than_k_does_not_count():
    result = graded(self_score=90, superior=90, members=(4, 160.0, 0.0), masses=(4, 160.0, 0.0))
    assert result["sources"]["ballots"]["present"] is False
    assert result["total"] == 90 and result["renormalised"]


def test_a_total_exactly_on_a_threshold_reaches_it():
    result = graded(self_score=85, superior=85, members=(10, 850.0, 100.0), masses=(10, 850.0, 100.0))
    assert result["total"] == 85 and result["category"] == "advanced"


def test_masses_less_than_ninety_per_cent_satisfied_cap_an_advanced_branch_at_average():
    result = graded(masses=(10, 900.0, 80.0))
    assert result["category_by_total"] == "advanced"
    assert result["category"] == "average"
    assert result["caps_applied"][0]["rule"] == "mass_satisfaction_below"


def test_a_leadership_problem_in_the_survey_caps_at_average_but_does_not_lift_a_lagging_branch():
    capped = graded(problems={"leadership"})
    assert (capped["category_by_total"], capped["category"]) == ("advanced", "average")
    lagging = graded(self_score=50, superior=50, members=(10, 500.0, 100.0), masses=(10, 500.0, 100.0),
                     problems={"leadership"})
    assert lagging["category"] == "lagging" and lagging["caps_applied"] == []


def test_no_source_at_all_cannot_be_graded():
    from shared.errors import Problem

    with pytest.raises(Problem) as refused:
        graded(self_score=None, superior=None, members=(0, 0.0, 0.0), masses=(0, 0.0, 0.0))
    assert refused.value.code == "not_ready"
