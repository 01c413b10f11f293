"""On a phone every table stacks (consort.css, max-width 40rem), and a cell keeps its column's name only through its
`data-label`. Each page template's table with column headings gives every cell the label of its column, as the
heading says it (a heading the template computes, such as one per lot, needs a computed label); a cell drawn by a
macro outside any table (rows a table includes) needs one too. PDF templates do not stack (their stylesheet is their
own) and are left out. A cell spanning several columns (colspan) is exempt."""
import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "frameworks", "suppliers", "procurement", "consort")
TABLE = re.compile(r"<table\b.*?</table>", re.S)
CELL = re.compile(r"<td\b([^>]*)>")
LABEL = re.compile(r'\bdata-label="([^"]*)"')


def page_templates() -> list[Path]:
    found = [path for package in PACKAGES for path in (ROOT / package).rglob("templates/**/*.html")
             if "pdf" not in path.relative_to(ROOT).parts]
    return sorted(found)


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def headings(table: str) -> set[str]:
    head = re.search(r"<thead\b.*?</thead>", table, re.S)
    return {text_of(th) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(0), re.S)} if head else set()


def _drawn(text: str) -> bool:
    """A heading or label that the template computes (`{{ c }}` in a loop of columns): compared only as such."""
    return "{{" in text


def unlabelled_cells(template: str) -> list[str]:
    """What is wrong with the template's cells: each missing label, or one that is no heading of its table."""
    problems = []
    for table in TABLE.findall(template):
        columns = headings(table)
        if not columns:
            continue  # no column headings (a row's own heading names it): nothing a label could repeat
        for attributes in CELL.findall(table):
            if "colspan" in attributes:
                continue
            label = LABEL.search(attributes)
            if label is None:
                problems.append(f"<td{attributes}> has no data-label")
            elif label.group(1) not in columns and not (_drawn(label.group(1)) and any(map(_drawn, columns))):
                problems.append(f'data-label="{label.group(1)}" is none of the headings {sorted(columns)}')
    outside = TABLE.sub("", template)
    problems += [f"<td{a}> (outside a table) has no data-label" for a in CELL.findall(outside)
                 if "colspan" not in a and not LABEL.search(a)]
    return problems


@pytest.mark.parametrize("path", page_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cell_of_a_stacking_table_names_its_column(path):
    assert unlabelled_cells(path.read_text()) == []


def test_the_templates_are_found():
    names = {str(p.relative_to(ROOT)) for p in page_templates()}
    assert "procurement/award/templates/award/award_run.html" in names
    assert not any("/pdf/" in name for name in names)


@pytest.mark.parametrize("template, problem", [
    ('<table><thead><tr><th scope="col">Lot</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>',
     "<td> has no data-label"),
    ('<table><thead><tr><th scope="col">Lot</th></tr></thead><tr><td data-label="Lots">1</td></tr></table>',
     "data-label=\"Lots\" is none of the headings ['Lot']"),
    ('{% macro row(r) %}<tr><td class="num">{{ r }}</td></tr>{% endmacro %}',
     '<td class="num"> (outside a table) has no data-label'),
], ids=["missing", "not-the-heading", "in-a-macro"])
def test_the_check_finds_a_cell_without_its_column_s_label(template, problem):
    assert unlabelled_cells(template) == [problem]


def test_the_check_passes_labelled_cells_and_tables_without_column_headings():
    labelled = ('<table><thead><tr><th scope="col">Lot</th><th scope="col" class="num">Price <span>(£)</span></th>'
                '</tr></thead><tr><td data-label="Lot">1</td><td data-label="Price (£)">2</td></tr>'
                '<tr><td colspan="2">Total</td></tr></table>')
    by_row = '<table><tr><th scope="row">Name</th><td>Ada</td></tr></table>'
    assert unlabelled_cells(labelled + by_row) == []
