"""The shell's helpers for pages: service_errors (undo, then show the error), page_of and the one ConfirmForm."""
import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from app.domain.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.forms import ConfirmForm
from app.organisations import services as organisations
from app.organisations.models import Organisation
from app.webforms import MAX_PAGE, page_of, service_errors


class NameForm(FlaskForm):
    name = StringField("Name")


def _add_organisation(name: str) -> None:
    db.session.add(Organisation(name=name, kind="authority"))
    db.session.flush()


def _refused_after_writing() -> None:
    _add_organisation("London Borough of Nowhere")
    raise Forbidden("Not you.")


def test_an_error_is_rolled_back_and_flashed_and_what_follows_it_does_not_run(app):
    ran = []
    with app.test_request_context():
        with service_errors() as outcome:
            _refused_after_writing()
            ran.append("success")
        assert outcome.failed and outcome.error.message == "Not you."
        assert get_flashed_messages(with_categories=True) == [("error", "Not you.")]
        assert ran == [] and organisations.find_by_name("London Borough of Nowhere") is None


def test_with_a_form_the_error_goes_beside_its_field_and_nothing_is_flashed(app):
    with app.test_request_context(method="POST"):
        form = NameForm(meta={"csrf": False})
        with service_errors(form, catch=ValidationFailed, rename=lambda name: name.removeprefix("the_")) as outcome:
            raise ValidationFailed("Check the name.", {"the_name": "Give a name."})
        assert outcome.error.fields == {"name": "Give a name."}
        assert form.name.errors == ["Give a name."] and get_flashed_messages() == []


def test_an_error_it_does_not_catch_goes_on_up_and_success_is_not_a_failure(app):
    with app.test_request_context():
        with pytest.raises(Forbidden), service_errors(catch=ValidationFailed):
            raise Forbidden("Not you.")
        with service_errors() as outcome:
            pass
        assert not outcome.failed and get_flashed_messages() == []


@pytest.mark.parametrize("asked, shown", [("2", 2), ("0", 1), ("-3", 1), ("two", 1), ("9" * 30, MAX_PAGE)])
def test_page_of_reads_the_page_asked_for_safely(app, asked, shown):
    for n in range(3):
        _add_organisation(f"Authority {n}")
    with app.test_request_context(f"/?page={asked}"):
        page = page_of(organisations.list_query(), per_page=2)
        assert page.page == shown and page.per_page == 2
        assert len(page.items) == (1 if shown == 2 else 2 if shown == 1 else 0)


def test_confirm_form_is_only_the_token_unless_it_has_a_box_to_tick(app):
    with app.test_request_context(method="POST", data={}):
        plain = ConfirmForm(meta={"csrf": False})
        assert "confirm" not in plain._fields and plain.validate()
        boxed = ConfirmForm(meta={"csrf": False}, label="I mean it", message="Tick it.", submit="Go")
        assert not boxed.validate() and boxed.confirm.errors == ["Tick it."]
        assert boxed.confirm.label.text == "I mean it" and boxed.submit.label.text == "Go"
