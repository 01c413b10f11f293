"""The API's bodies and answers for supplier profiles, declarations, bids and their documents."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints, field_validator, model_validator

from app.api.schemas import Money, Overlay, Time
from suppliers import bids, profiles
from suppliers.domain import exclusion
from suppliers.models import Bid, BidStatus, ExclusionDeclaration

Price = Annotated[Decimal, Field(gt=0, le=Decimal("100000000000"), max_digits=14, decimal_places=2)]
Line = Annotated[str, StringConstraints(max_length=200)]


class LotOfferIn(BaseModel):
    lot_id: int
    price: Price
    answers: dict[int, Annotated[str, StringConstraints(max_length=50_000)]] = {}


class BundleIn(BaseModel):
    lot_ids: Annotated[list[int], Field(min_length=2, max_length=100)]
    price: Price


class BidIn(BaseModel):
    lots: Annotated[list[LotOfferIn], Field(max_length=200)] = []
    bundles: Annotated[list[BundleIn], Field(max_length=200)] = []


class ReceiptOut(BaseModel):
    submitted_at: Time = Field(description="When the submission reached Consort (or its front proxy): the time "
                                           "judged against the deadline.")
    written_at: Time = Field(description="When it was written, which in a rush at the deadline may be later.")
    sha256: str
    log_index: int | None = Field(description="The leaf of the bid.submitted event in the audit log's Merkle "
                                              "tree: null while the bids are sealed (the event waits in the "
                                              "framework's sealed log), set when they are opened; GET "
                                              "/transparency/proof/inclusion proves it once a checkpoint covers it.")


class LotOfferOut(BaseModel):
    lot_id: int
    price: Money | None = Field(description="Null for an evaluator when the framework hides prices from them.")
    answers: dict[str, str]

    @field_validator("answers", mode="before")
    @classmethod
    def _by_criterion(cls, answers):
        if isinstance(answers, dict):
            return answers
        return {str(answer.criterion_id): answer.text for answer in answers}


class BundleOut(BaseModel):
    lot_ids: list[int]
    price: Money


class DocumentOut(BaseModel):
    id: int
    bid_id: int
    filename: str
    kind: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: Time


class BidDocumentOut(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str


class BidDeclarationOut(BaseModel):
    id: int
    made_at: Time
    summary: str


@dataclass(frozen=True)
class Reading:
    """A bid and what of it its reader sees (all of it, unless `bids.view_for` says otherwise)."""

    bid: Bid
    view: bids.View = field(default_factory=bids.View)


class BidOut(BaseModel):
    id: int
    framework_id: int
    supplier_id: int
    status: str
    lots: list[LotOfferOut]
    bundles: list[BundleOut]
    receipt: ReceiptOut | None
    documents: list[BidDocumentOut]
    declaration: BidDeclarationOut | None = Field(
        description="The declaration against the exclusion grounds the bid was submitted with.")
    updated_at: Time

    @model_validator(mode="before")
    @classmethod
    def _as_read(cls, reading):
        if isinstance(reading, Bid):
            reading = Reading(reading)
        if not isinstance(reading, Reading):
            return reading
        bid, view = reading.bid, reading.view
        submitted = bid.status == BidStatus.SUBMITTED
        lots = [bl for bl in bid.lots if view.lot_ids is None or bl.lot_id in view.lot_ids]
        return Overlay(
            bid,
            lots=[bl if view.prices else Overlay(bl, price=None) for bl in lots],
            # A bundle is all price: a reader who may not see prices does not see bundles.
            bundles=[Overlay(b, lot_ids=[x.lot_id for x in b.lots]) for b in bid.bundles]
            if view.prices and view.lot_ids is None else [],
            receipt={"submitted_at": bid.submitted_at, "written_at": bid.receipt_written_at or bid.submitted_at,
                     "sha256": bid.receipt_sha256,
                     "log_index": bid.receipt_log_index} if submitted else None,
            declaration=Overlay(bid.declaration, summary=exclusion.summary(profiles.as_domain(bid.declaration)))
            if bid.declaration is not None and submitted else None)


class ProfileIn(BaseModel):
    companies_house_number: Annotated[str, StringConstraints(max_length=20)] | None = None
    ppon: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        None, description="The Public Procurement Organisation Number from the Central Digital Platform, like "
                          "PABC-1234-DEFG; published in OCDS as GB-PPON.")
    sme: bool | None = None
    registered_address: Annotated[str, StringConstraints(max_length=1000)] | None = None
    website: Line | None = None
    contact_name: Annotated[str, StringConstraints(max_length=120)] | None = None
    contact_email: EmailStr | None = None
    contact_phone: Annotated[str, StringConstraints(max_length=40)] | None = None


class ExclusionDeclarationIn(BaseModel):
    answers: dict[Annotated[str, StringConstraints(max_length=40)], bool] = Field(
        description="Every exclusion ground's code (see GET /exclusion-grounds): true when it applies.")
    details: Annotated[str, StringConstraints(max_length=20_000)] = ""
    self_cleaning: Annotated[str, StringConstraints(max_length=20_000)] = ""


class ExclusionDeclarationOut(BaseModel):
    id: int
    made_at: Time
    answers: dict[str, bool]
    details: str
    self_cleaning: str
    summary: str

    @model_validator(mode="before")
    @classmethod
    def _every_ground(cls, record):
        """An answer for every ground (false for one added since), and the summary of what applies."""
        if not isinstance(record, ExclusionDeclaration):
            return record
        return Overlay(record, answers={g.code: bool(record.answers.get(g.code)) for g in exclusion.GROUNDS},
                       summary=exclusion.summary(profiles.as_domain(record)))


class ProfileOut(BaseModel):
    organisation_id: int
    name: str
    sme: bool
    companies_house_number: str | None
    ppon: str | None
    registered_address: str
    website: str
    contact_name: str
    contact_email: str
    contact_phone: str
    declaration: ExclusionDeclarationOut | None


class GroundOut(BaseModel):
    code: str
    kind: str
    text: str
