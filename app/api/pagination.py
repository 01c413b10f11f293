"""The list format of the API: {"items": [...], "total": N, "page": P, "per_page": M} with ?page= and ?per_page=
(at most 100). A view returns a `Page`; `@operation(paginated=True)` serialises its items."""
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.api.validation import int_arg
from app.extensions import db

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Far past any real list, and small enough that the offset fits the databases' 64-bit integers.
MAX_PAGE = 1_000_000_000


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    total: int
    page: int
    per_page: int


def paginate(query) -> Page:
    """One page of a select, counted in the database, not in Python."""
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    return Page(result.items, result.total, page, per_page)
