"""Who sees what of the review ledger: the access each caller gets, and the ledger it yields."""

from services.gateway.access import Caller
from services.gateway.accounts import Account
from services.gateway.reviews import access_of
from services.projections.ledger import FULL, good_rate


def caller(*roles):
    return Caller(Account("a1", "someone", "p1", ()), "某人", frozenset(roles))


def test_hospital_wide_roles_see_the_whole_ledger():
    for role in ("party_office", "general_secretary", "superior"):
        assert access_of(caller((role, ""))) == FULL


def test_a_branch_secretary_reads_every_report_and_sees_their_own_reports_evaluations_and_their_committees():
    assert access_of(caller(("branch_secretary", "b1"), ("member", "b1"))) == {
        "read": None, "aggregate": ["b1"], "signed_by": ["b1"], "details": False}


def test_a_member_reads_their_branch_and_the_general_branch_and_no_evaluations():
    assert access_of(caller(("member", "b2"))) == {"read": ["b2", ""], "aggregate": [], "signed_by": [], "details": False}
    assert access_of(caller()) == {"read": [""], "aggregate": [], "signed_by": [], "details": False}


def test_the_good_rate_is_good_and_fairly_good_over_all_and_none_without_evaluations():
    assert good_rate({"good": 3, "fairly_good": 1, "fair": 1, "poor": 0}) == 80.0
    assert good_rate({"good": 1, "fairly_good": 0, "fair": 1, "poor": 1}) == 33.33
    assert good_rate(dict.fromkeys(("good", "fairly_good", "fair", "poor"), 0)) is None
