"""The release of a call-off: a contracting process of its own (its own ocid) under the framework, which it names in
`relatedProcesses` with the relationship "framework". The authority that calls off is the buyer and the procuring
entity; the award is to the lot's supplier and the contract is the order itself."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from consort.publication.domain.ocds import Party, money, party, reference, when, with_id, without_empty

METHODS = {
    "direct": ("limited", "A direct award under the framework agreement, to the lot's one supplier."),
    "mini-competition": ("selective", "A further competition among the lot's suppliers under the framework "
                                      "agreement, awarded to the best score."),
}


@dataclass(frozen=True)
class CallOffRelease:
    ocid: str
    reference: str
    date: datetime
    framework_ocid: str
    framework_title: str
    lot_number: int
    lot_title: str
    description: str
    value: Decimal
    method: str  # a key of METHODS
    cpv: str
    cpv_description: str
    buyer: Party
    supplier: Party


def release(call_off: CallOffRelease) -> dict:
    """The call-off's one release: its award and contract, complete when placed."""
    method, details = METHODS[call_off.method]
    award_id = f"{call_off.reference}-award"
    title = f"Call-off under {call_off.framework_title}, lot {call_off.lot_number}: {call_off.lot_title}"
    result = {
        "ocid": call_off.ocid,
        "date": when(call_off.date),
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": [party(call_off.buyer.with_roles("buyer", "procuringEntity")),
                    party(call_off.supplier.with_roles("supplier", "payee"))],
        "buyer": reference(call_off.buyer),
        "tender": {
            "id": call_off.reference,
            "title": title,
            "description": call_off.description,
            "status": "complete",
            "procuringEntity": reference(call_off.buyer),
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "value": money(call_off.value),
            "items": [{"id": "1", "description": call_off.lot_title,
                       "classification": {"scheme": "CPV", "id": call_off.cpv.split("-")[0],
                                          "description": call_off.cpv_description}}],
        },
        "awards": [{"id": award_id, "title": title, "status": "active", "date": when(call_off.date),
                    "value": money(call_off.value), "suppliers": [reference(call_off.supplier)]}],
        "contracts": [{"id": call_off.reference, "awardID": award_id, "title": title, "status": "active",
                       "value": money(call_off.value), "dateSigned": when(call_off.date)}],
        "relatedProcesses": [{"id": "framework", "relationship": ["framework"], "title": call_off.framework_title,
                              "scheme": "ocid", "identifier": call_off.framework_ocid}],
    }
    return with_id(without_empty(result))
