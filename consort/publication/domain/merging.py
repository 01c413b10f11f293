"""OCDS's merge: the compiled release of a contracting process, from its releases (standard.open-contracting.org,
"Merging"). The releases are taken oldest first; each field of a later release replaces the earlier value; an array
of objects with ids is merged object by object by id ("identifier merge"); any other array is replaced whole; a
field the schema marks omitWhenMerged is left out; a null removes a field.

`merge_rules` reads the rules out of a release schema, once; `compile_release` applies them.
"""
from collections.abc import Iterable, Mapping
from typing import Any

OMIT = "omitWhenMerged"
WHOLE_LIST = "wholeListMerge"

Path = tuple[Any, ...]
Rules = Mapping[tuple[str, ...], str]


def merge_rules(dereferenced_properties: Mapping[str, Any], path: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    """Each field path's merge rule, from a release schema's (dereferenced) `properties`."""
    rules: dict[tuple[str, ...], str] = {}
    for key, value in dereferenced_properties.items():
        here = (*path, key)
        types = _types(value)
        if value.get("omitWhenMerged") or value.get("mergeStrategy") == "ocdsOmit":
            rules[here] = OMIT
        elif "array" in types and (value.get("wholeListMerge") or value.get("mergeStrategy") == "ocdsVersion"):
            rules[here] = WHOLE_LIST
        elif "object" in types and "properties" in value:
            rules |= merge_rules(value["properties"], here)
        elif "array" in types and "items" in value:
            item_types = _types(value["items"])
            if any(kind != "object" for kind in item_types):
                rules[here] = WHOLE_LIST
            elif "object" in item_types and "properties" in value["items"]:
                if "id" not in value["items"]["properties"]:
                    rules[here] = WHOLE_LIST
                else:
                    rules |= merge_rules(value["items"]["properties"], here)
    return rules


def _types(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


class _Item(str):
    """A path step into an array: the object's id (kept as given, a number or a string)."""

    __slots__ = ("original",)

    def __new__(cls, original):
        item = super().__new__(cls, str(original))
        item.original = original
        return item


def _flatten(value: Mapping[str, Any], rules: Rules, flat: dict, path: Path = (), rule_path: tuple = ()) -> dict:
    items = value.items() if isinstance(value, Mapping) else ((_Item(obj["id"]), obj) for obj in value)
    for key, item in items:
        new_rule_path = rule_path if isinstance(key, _Item) else (*rule_path, key)
        rule = rules.get(new_rule_path)
        if rule == OMIT:
            continue
        if rule == WHOLE_LIST or not isinstance(item, dict | list) or (
                isinstance(item, list) and any(not isinstance(entry, dict) or "id" not in entry for entry in item)):
            flat[(*path, key)] = item
        elif item:
            _flatten(item, rules, flat, (*path, key), new_rule_path)
    return flat


def _unflatten(flat: Mapping[Path, Any]) -> dict:
    result: dict = {}
    objects: dict[Path, dict] = {}
    for key, value in flat.items():
        node: Any = result
        for end, part in enumerate(key, 1):
            if isinstance(part, _Item):
                where = key[:end]
                if where not in objects:
                    objects[where] = {"id": part.original}
                    node.append(objects[where])
                node = objects[where]
            elif part in node:
                node = node[part]
            elif end < len(key):
                node[part] = [] if isinstance(key[end], _Item) else {}
                node = node[part]
            elif value is not None:
                node[part] = value
    return result


def compile_release(releases: Iterable[Mapping[str, Any]], rules: Rules) -> dict:
    """The compiled release: tagged "compiled", dated and identified by the newest release it merges."""
    ordered = sorted(releases, key=lambda release: release["date"])  # stable: one date keeps the given order
    if not ordered:
        raise ValueError("A compiled release needs at least one release.")
    flat: dict[Path, Any] = {("tag",): ["compiled"]}
    for release in ordered:
        content = {key: value for key, value in release.items() if key != "tag"}
        flat[("id",)] = f"{release['ocid']}-{release['date']}"
        flat[("date",)] = release["date"]
        flat[("ocid",)] = release["ocid"]
        flat.update(_flatten(content, rules, {}))
    return _unflatten(flat)
