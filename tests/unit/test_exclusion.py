"""The exclusion grounds: what makes a declaration complete, and what it says beside a bid."""
from hypothesis import given
from hypothesis import strategies as st

from suppliers.domain.exclusion import GROUNDS, Declaration, GroundKind, problems, summary

NONE_APPLY = {g.code: False for g in GROUNDS}
MANDATORY = next(g for g in GROUNDS if g.kind == GroundKind.MANDATORY)
DISCRETIONARY = next(g for g in GROUNDS if g.kind == GroundKind.DISCRETIONARY)


def test_a_declaration_that_no_ground_applies_is_complete():
    assert problems(Declaration(NONE_APPLY)) == {}
    assert summary(Declaration(NONE_APPLY)) == "Declared that no exclusion ground applies."


def test_every_ground_must_be_answered():
    answers = dict(NONE_APPLY)
    del answers[MANDATORY.code]
    assert problems(Declaration(answers)) == {
        f"answers.{MANDATORY.code}": "Say whether this ground applies to your organisation."}


def test_an_unknown_ground_is_refused():
    assert "answers.bogus" in problems(Declaration(NONE_APPLY | {"bogus": True}))


def test_a_ground_that_applies_needs_the_circumstances():
    declared = Declaration(NONE_APPLY | {DISCRETIONARY.code: True})
    assert set(problems(declared)) == {"details"}
    complete = Declaration(NONE_APPLY | {DISCRETIONARY.code: True}, details="Late delivery in 2024, settled.")
    assert problems(complete) == {}
    assert summary(complete) == f"Declared discretionary ground {DISCRETIONARY.code}."


def test_a_mandatory_ground_needs_self_cleaning_evidence_too():
    declared = Declaration(NONE_APPLY | {MANDATORY.code: True}, details="A director convicted in 2021.")
    assert set(problems(declared)) == {"self_cleaning"}
    cleaned = Declaration(declared.answers, declared.details, "The director left; we paid compensation.")
    assert problems(cleaned) == {}
    assert "with self-cleaning evidence" in summary(cleaned)


def test_no_declaration_says_so():
    assert summary(None) == "No declaration against the exclusion grounds."


def test_grounds_are_unique_and_of_both_kinds():
    assert len({g.code for g in GROUNDS}) == len(GROUNDS)
    assert {g.kind for g in GROUNDS} == set(GroundKind)


@given(st.dictionaries(st.sampled_from([g.code for g in GROUNDS]), st.booleans()), st.text(max_size=20),
       st.text(max_size=20))
def test_a_declaration_is_complete_exactly_when_every_rule_holds(answers, details, self_cleaning):
    declaration = Declaration(answers, details, self_cleaning)
    any_applies = any(answers.values())
    mandatory = any(answers.get(g.code) for g in GROUNDS if g.kind == GroundKind.MANDATORY)
    complete = (len(answers) == len(GROUNDS) and (not any_applies or bool(details.strip()))
                and (not mandatory or bool(self_cleaning.strip())))
    assert (problems(declaration) == {}) == complete
