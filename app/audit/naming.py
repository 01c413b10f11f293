"""What an audit entry's object is called on a page. The shell knows no feature, so each feature that records
events on its objects registers how to name them (a lot is "Lot 1: Kiosks", not its database id)."""
from collections.abc import Callable, Iterable

# object_type -> a function from object ids (as recorded, strings) to their names; an id it does not name is
# shown as before, by its type and id.
NAMERS: dict[str, Callable[[set[str]], dict[str, str]]] = {}


def register(object_type: str, namer: Callable[[set[str]], dict[str, str]]) -> None:
    NAMERS[object_type] = namer


def names_of(events: Iterable) -> dict[tuple[str, str], str]:
    """(object_type, object_id) -> the object's name, for the events whose object a feature names."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type in NAMERS and event.object_id:
            wanted.setdefault(event.object_type, set()).add(str(event.object_id))
    return {(kind, object_id): name for kind, ids in wanted.items()
            for object_id, name in NAMERS[kind](ids).items()}
