"""The demo's data-sharing agreement, published by the consortium and accepted by each authority whose
requirements the demo frameworks pool (through its demo officer), so that pooling works as in a real deployment."""
from datetime import timedelta

from app.types import london_today
from frameworks.sharing import services as sharing


def agreement_text() -> sharing.AgreementText:
    """The demo agreement, to be reviewed a year from today."""
    return sharing.AgreementText(
        title="London joint procurement data-sharing agreement",
        purpose="To pool the authorities' requirements into joint frameworks, run one competition for all of them, "
                "and report spend and savings to the authorities and the consortium.",
        data_shared="Each authority's requirements (what, how many, when needed), its estimated unit prices, its "
                    "spend through call-offs, and its share of the savings. Officers' names only where they accept "
                    "this agreement or place a call-off.",
        lawful_basis="Public task: the authorities' procurement functions (Local Government Act 1972 s111, "
                     "Procurement Act 2023); UK GDPR Art. 6(1)(e) for the officers' names.",
        recipients="The consortium's admins; the other authorities in the same framework (the pooled demand of each "
                   "lot); suppliers and the public once a framework is published (the tender notice's demand, without "
                   "names of people).",
        text="1. The consortium pools the requirements of the authorities that accept this agreement.\n\n"
             "2. Each authority may withdraw at any time: its requirements are then not pooled into new frameworks. "
             "Frameworks already tendered go on, with the data already shared.\n\n"
             "3. The consortium keeps the data for the term of each framework plus six years, as the record of "
             "processing says, and then anonymises it.",
        review_on=london_today() + timedelta(days=365))


def ensure_agreement(admin) -> None:
    """Publish the demo agreement if the consortium has none yet."""
    if sharing.current() is None:
        sharing.publish(admin, agreement_text(), london_today())


def ensure_accepted(officer) -> None:
    """The officer's authority accepts the current agreement, if it has not."""
    agreement = sharing.current()
    if agreement is not None and sharing.acceptance_in_force(officer.organisation_id, agreement.id) is None:
        sharing.accept(officer, agreement.id, officer.name or officer.email, "Head of procurement")
