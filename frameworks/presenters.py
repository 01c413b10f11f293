"""How the API and the pages load frameworks for a list. (The API's JSON shapes are the models of
frameworks/schemas.py, which serialise money as decimal strings and times as ISO 8601 with an offset.)"""
from sqlalchemy.orm import selectinload

from frameworks.models import Framework, Lot


def preload(query):
    """Load lots, criteria and pooled requirements with the frameworks, so a list is a fixed number of queries."""
    return query.options(
        selectinload(Framework.lots).selectinload(Lot.criteria),
        selectinload(Framework.lots).selectinload(Lot.pooled),
    )
