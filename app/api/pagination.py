"""The list format of the API: {"items": [...], "total": N} with ?page= and ?per_page= (at most 100)."""
from collections.abc import Callable

from app.api.validation import int_arg
from app.extensions import db

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Far past any real list, and small enough that the offset fits the databases' 64-bit integers.
MAX_PAGE = 1_000_000_000


def paginate(query, serialise: Callable) -> dict:
    """One page of a select, counted in the database, not in Python."""
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    return {"items": [serialise(item) for item in result.items], "total": result.total,
            "page": page, "per_page": per_page}
