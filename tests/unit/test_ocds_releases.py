"""The pure rules of publication in OCDS: a release's id from its content, empty fields left out, organisations'
identifiers, and OCDS's merge of releases into a compiled release."""
from hypothesis import given
from hypothesis import strategies as st

from consort.publication.domain.merging import OMIT, WHOLE_LIST, compile_release, merge_rules
from consort.publication.domain.ocds import (
    Identifier,
    organisation_identifiers,
    same_content,
    with_id,
    without_empty,
)

RULES = {("id",): OMIT, ("tag",): OMIT, ("parties", "roles"): WHOLE_LIST}


def release(date: str, **fields) -> dict:
    return {"ocid": "ocds-x-1", "id": f"r-{date}", "date": date, "tag": ["tender"], **fields}


def test_the_id_is_the_ocid_and_a_digest_of_the_content():
    first = with_id({"ocid": "ocds-x-1", "date": "2026-01-01T00:00:00+00:00", "tag": ["tender"]})
    other = with_id({"ocid": "ocds-x-1", "date": "2026-01-02T00:00:00+00:00", "tag": ["tender"]})
    assert first["id"].startswith("ocds-x-1-") and len(first["id"]) == len("ocds-x-1-") + 16
    assert list(first)[:2] == ["ocid", "id"]
    assert first["id"] != other["id"]
    assert with_id(first) == first  # its own id is left out of the digest


def test_releases_that_differ_only_in_id_date_and_tag_say_the_same():
    assert same_content(release("2026-01-01", tender={"status": "active"}),
                        release("2026-02-01", tender={"status": "active"}) | {"tag": ["tenderUpdate"]})
    assert not same_content(release("2026-01-01", tender={"status": "active"}),
                            release("2026-01-01", tender={"status": "complete"}))


def test_empty_strings_arrays_objects_and_nulls_are_left_out_at_every_depth():
    assert without_empty({"a": "", "b": [], "c": {}, "d": None, "e": 0, "f": False,
                          "g": {"h": "", "i": [{"j": ""}]}, "k": ["", "x"]}) == {"e": 0, "f": False, "k": ["x"]}


@given(st.recursive(st.none() | st.text(max_size=3) | st.integers(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                               max_size=3)))
def test_leaving_out_empties_twice_changes_nothing_more(value):
    once = without_empty(value)
    assert without_empty(once) == once


def test_a_company_is_identified_by_its_number_and_its_ppon_is_beside_it():
    assert organisation_identifiers(companies_house_number="01234567", ppon="PABC-1234-DEFG") == (
        Identifier("GB-COH", "01234567"), (Identifier("GB-PPON", "PABC-1234-DEFG"),))
    assert organisation_identifiers(ppon="PABC-1234-DEFG", gss_code="E09000007") == (
        Identifier("GB-PPON", "PABC-1234-DEFG"), (Identifier("GB-GSS", "E09000007"),))
    assert organisation_identifiers(gss_code="E09000007") == (None, (Identifier("GB-GSS", "E09000007"),))
    assert organisation_identifiers() == (None, ())


def test_the_compiled_release_is_tagged_and_named_by_the_newest_release():
    compiled = compile_release([release("2026-02-01", tender={"status": "complete"}),
                                release("2026-01-01", tender={"status": "active", "title": "Laptops"})], RULES)
    assert compiled == {"tag": ["compiled"], "id": "ocds-x-1-2026-02-01", "date": "2026-02-01", "ocid": "ocds-x-1",
                        "tender": {"status": "complete", "title": "Laptops"}}


def test_objects_with_ids_merge_by_id_and_other_arrays_are_replaced_whole():
    compiled = compile_release([
        release("2026-01-01", parties=[{"id": "a", "name": "A", "roles": ["buyer"]}, {"id": "b", "name": "B"}],
                items=["x", "y"]),
        release("2026-01-02", parties=[{"id": "a", "roles": ["tenderer"]}, {"id": "c", "name": "C"}],
                items=["z"]),
    ], RULES)
    assert compiled["parties"] == [{"id": "a", "name": "A", "roles": ["tenderer"]}, {"id": "b", "name": "B"},
                                   {"id": "c", "name": "C"}]
    assert compiled["items"] == ["z"]


def test_a_null_removes_a_field_and_an_absent_one_keeps_it():
    compiled = compile_release([release("2026-01-01", tender={"title": "Laptops", "description": "Light"}),
                                release("2026-01-02", tender={"description": None})], RULES)
    assert compiled["tender"] == {"title": "Laptops"}


def test_releases_of_one_date_merge_in_the_order_given():
    compiled = compile_release([release("2026-01-01", tender={"status": "active"}),
                                release("2026-01-01", tender={"status": "complete"})], RULES)
    assert compiled["tender"]["status"] == "complete"


def test_the_rules_come_from_the_schema():
    properties = {
        "id": {"type": "string", "omitWhenMerged": True},
        "tender": {"type": "object", "properties": {
            "submissionMethod": {"type": "array", "items": {"type": "string"}},
            "milestones": {"type": "array", "items": {"type": "object", "properties": {"title": {}}}},
            "lots": {"type": "array", "items": {"type": "object", "properties": {"id": {}, "status": {}}}},
            "classifications": {"type": "array", "wholeListMerge": True, "items": {"type": "object"}},
        }},
    }
    assert merge_rules(properties) == {("id",): OMIT, ("tender", "submissionMethod"): WHOLE_LIST,
                                       ("tender", "milestones"): WHOLE_LIST,
                                       ("tender", "classifications"): WHOLE_LIST}
