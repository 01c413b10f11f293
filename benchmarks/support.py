"""What the benchmarks share: the project's paths and the app, the PostgreSQL databases they make, the machine they
ran on, percentiles, Markdown tables and the README's results sections.

A script run as `python benchmarks/<name>.py` has benchmarks/ on sys.path, so it imports this module as a sibling
(`import support`), before any of the app's packages: importing it puts the project's root on sys.path too, so
that `app`, `frameworks`, `procurement` and `suppliers` import as they do in the app.
"""
import math
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP_ROOT = ROOT  # the checkout whose app is run and migrated (deadline_surge.py --app-root: an older commit's)
README = ROOT / "benchmarks" / "README.md"
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
MAINTENANCE = "postgresql://postgres@127.0.0.1:5432/postgres"


# --- the app and its database ---------------------------------------------------------------------------------------

def make_app(url: str, **config):
    """The app on this database, with the benchmarks' secret key and no mail server (e-mails go to the log)."""
    from consort import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "MAIL_SERVER": None, **config})


def migrate() -> None:
    """Migrate the current app context's database to the newest revision (of APP_ROOT's migrations)."""
    from flask_migrate import upgrade

    upgrade(directory=str(APP_ROOT / "migrations"))


def create_database(name: str) -> str:
    """Drop this database on the local PostgreSQL server if present, create it empty, and return its URL."""
    import psycopg

    with psycopg.connect(MAINTENANCE, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(MAINTENANCE, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the machine ----------------------------------------------------------------------------------------------------

def cpu_model(fallback: str | None = None) -> str:
    """The CPU's model name in /proc/cpuinfo; if it names none, `fallback` (by default platform.processor(), or
    "unknown CPU")."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    if fallback is not None:
        return fallback
    return platform.processor() or "unknown CPU"


def cpus(fallback: str | None = None) -> str:
    """"2 CPUs (AMD EPYC)": os.cpu_count() and cpu_model(fallback)."""
    return f"{os.cpu_count()} CPUs ({cpu_model(fallback)})"


def memory_gib() -> float:
    """The machine's memory (MemTotal in /proc/meminfo), in GiB; 0 if it is not given."""
    kib = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return kib / 1024 / 1024


def python() -> str:
    return f"Python {platform.python_version()}"


# --- numbers and tables ---------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float, rounded: bool = False) -> float:
    """Nearest-rank percentile: the ceil(p% of n)-th smallest value (nan if there are none).

    rounded=True takes the round(p% of n + 0.5)-th instead, as contracts.py always has. Python rounds halves to
    even, so that is the same rank except where p% of n is an odd whole number (p90 of 10 values: the 10th, not the
    9th)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = round(p / 100 * len(ordered) + 0.5) if rounded else math.ceil(p / 100 * len(ordered))
    return ordered[max(0, min(len(ordered) - 1, rank - 1))]


def table_head(*columns: str) -> str:
    """A Markdown table's header line and rule: "| a | b |" and "|---|---|"."""
    return "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)


def table_row(*cells: object) -> str:
    """A Markdown table's row: "| a | b |" (an empty cell is written "|  |")."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


# --- the README -----------------------------------------------------------------------------------------------------

def command(script: str) -> str:
    """This run's command line as the README quotes it: `python benchmarks/<script> <its arguments>`."""
    return f"python benchmarks/{script} {' '.join(sys.argv[1:])}".strip()


def write_results(markers: tuple[str, str], text: str) -> None:
    """Put `text` in benchmarks/README.md between the two marker lines (added at its end if it has none)."""
    start, end = markers
    content = README.read_text() if README.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in content:
        content += f"\n{start}\n{end}\n"
    head, _, rest = content.partition(start)
    _, _, tail = rest.partition(end)
    README.write_text(f"{head}{start}\n{text}\n{end}{tail}")
