"""Names of a framework's objects where the shell shows them by id (the audit log): a lot by its number within
its framework and its title."""
from app.extensions import db
from frameworks.models import Lot


def lot_names(ids: set[str]) -> dict[str, str]:
    """Lot id (as the audit log holds it) -> "Lot 1: Kiosks"."""
    numeric = [int(i) for i in ids if i.isdigit()]
    rows = db.session.execute(db.select(Lot.id, Lot.number, Lot.title).where(Lot.id.in_(numeric))) if numeric else []
    return {str(lot_id): f"Lot {number}: {title}" for lot_id, number, title in rows}
