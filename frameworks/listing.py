"""The API's list of frameworks, each with its lots inline as GET /frameworks says, in bounded time however many
lots there are: a published framework's lots (with their criteria and pooled demand) never change, so their JSON is
built once and kept (app/memo.py) under the framework's id and publication; a draft's are built each time."""
from collections import defaultdict

from sqlalchemy.orm import selectinload

from app import memo
from app.api.schemas import Overlay, Serialised
from app.extensions import db
from frameworks.models import Framework, Lot
from frameworks.schemas import FrameworkOut, LotOut

LOTS_MEMO = "framework-lots.v1"  # a new version when LotOut's shape changes


def _key(framework: Framework) -> tuple:
    return framework.id, framework.published_at


def as_json(frameworks: list[Framework]) -> list[Serialised]:
    """Each framework as FrameworkOut serialises it: the framework's own fields now, its lots as kept."""
    lots: dict[int, list] = {f.id: memo.recall(LOTS_MEMO, _key(f)) for f in frameworks if f.published_at is not None}
    missing = [f for f in frameworks if lots.get(f.id) is None]
    if missing:
        built = defaultdict(list)
        query = (db.select(Lot).where(Lot.framework_id.in_([f.id for f in missing]))
                 .options(selectinload(Lot.criteria), selectinload(Lot.pooled)).order_by(Lot.framework_id, Lot.number))
        for lot in db.session.scalars(query):
            built[lot.framework_id].append(LotOut.model_validate(lot, from_attributes=True).model_dump(mode="json"))
        for framework in missing:
            lots[framework.id] = built[framework.id]
            if framework.published_at is not None:
                memo.keep(LOTS_MEMO, _key(framework), built[framework.id])
    return [Serialised(FrameworkOut.model_validate(Overlay(f, lots=[]), from_attributes=True).model_dump(mode="json")
                       | {"lots": lots[f.id]}) for f in frameworks]
