"""Savings against the authorities' estimates, for the recommendation pack."""
from decimal import Decimal

from procurement.domain.savings import LotOutcome, by_authority, dearest_prices

D = Decimal


def test_each_authority_saves_its_estimate_less_its_share_of_the_awarded_price():
    lots = [LotOutcome(1, D("90"), {10: D("60"), 11: D("40")}, {10: D("0.6"), 11: D("0.4")}),
            LotOutcome(2, None, {10: D("500")}, {10: D("1")})]  # not awarded: counts for nothing
    rows = {r.organisation_id: r for r in by_authority(lots)}
    assert (rows[10].baseline, rows[10].awarded, rows[10].savings) == (D("60"), D("54.0"), D("6.0"))
    assert (rows[11].baseline, rows[11].awarded, rows[11].savings) == (D("40"), D("36.0"), D("4.0"))


def test_a_lot_with_several_winners_counts_its_dearest_price():
    assert dearest_prices([(1, D("90")), (1, D("120")), (2, D("5"))]) == {1: D("120"), 2: D("5")}
