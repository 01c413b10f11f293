"""Helpers the HTML views share: a service's errors shown (on the form or flashed), 422 for a form with errors,
one page of a query, and safe redirects."""
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import flash, render_template, request
from flask_wtf import FlaskForm

from app.domain.errors import ConsortError
from app.extensions import db

# The last page a link may ask for: beyond it a page is as empty as any past the end, and the offset stays small.
MAX_PAGE = 100_000


def attach_errors(form: FlaskForm, error: ConsortError) -> None:
    """Show a service's field errors beside the fields, and the rest above the form."""
    placed = False
    for name, message in error.fields.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
        else:
            form.form_errors.append(message)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def render_form(template: str, form: FlaskForm, **context):
    """Render a page with a form; 422 when it was posted and has errors, so tools see the failure too."""
    has_errors = bool(form.errors) or bool(form.form_errors)
    status = 422 if request.method == "POST" and has_errors else 200
    return render_template(template, form=form, **context), status


def safe_next(target: str | None, default: str) -> str:
    """Only redirect to a path on this site after sign-in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


class Outcome:
    """What a `service_errors` block came to: `error` is the one it showed, if any."""

    error: ConsortError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def service_errors(form: FlaskForm | None = None, *,
                   catch: type[ConsortError] | tuple[type[ConsortError], ...] = ConsortError,
                   rename: Callable[[str], str] | None = None) -> Iterator[Outcome]:
    """Run a service call and what follows its success; if it raises one of `catch`, undo the session's work and
    show the error: beside `form`'s fields when a form is given, else as a flashed error. Other errors go on up.
    `rename` turns the service's names for fields into the form's (the error keeps the form's names).

        with service_errors(form, catch=ValidationFailed):
            thing = things.create(current_user, form.data)
            flash("Saved.", "success")
            return redirect(...)
        return render_form(...)
    """
    outcome = Outcome()
    try:
        yield outcome
    except catch as error:
        db.session.rollback()
        if rename is not None:
            error.fields = {rename(name): message for name, message in error.fields.items()}
        outcome.error = error
        if form is not None:
            attach_errors(form, error)
        else:
            flash(error.message, "error")


def page_of(query, per_page: int = 25):
    """The page of `query` that ?page= asks for: the first for anything but a whole number, empty past the end."""
    page = request.args.get("page", 1, type=int)
    return db.paginate(query, page=min(max(page, 1), MAX_PAGE), per_page=per_page, error_out=False)


@dataclass(frozen=True)
class ListPage:
    """A page of a list already in memory (a lot's ranking, say), with what the `pagination` macro reads."""

    all_items: Sequence
    page: int
    per_page: int

    @property
    def items(self) -> Sequence:
        return self.all_items[(self.page - 1) * self.per_page:self.page * self.per_page]

    @property
    def total(self) -> int:
        return len(self.all_items)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first item."""
        return (self.page - 1) * self.per_page + 1

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def page_of_list(items: Sequence, per_page: int = 50) -> ListPage:
    """The page of `items` that ?page= asks for, read as `page_of` reads it; past the end, the last page."""
    page = request.args.get("page", 1, type=int)
    pages = max(1, -(-len(items) // per_page))
    return ListPage(items, min(max(page, 1), pages), per_page)
