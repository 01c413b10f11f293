"""Rules for e-mail addresses, passwords, Companies House numbers and PPONs."""
import re

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
COMPANIES_HOUSE_NUMBER = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
# The Public Procurement Organisation Number the Central Digital Platform (Find a Tender) gives, like PLLH-1887-BMRL.
PPON = re.compile(r"^P[A-Z]{3}-\d{4}-[A-Z]{4}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_email(email: str) -> str:
    """E-mail addresses are compared without regard to case or surrounding space."""
    return email.strip().lower()


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def normalise_domain(domain: str) -> str:
    return domain.strip().lower().lstrip("@")


def is_valid_domain(domain: str) -> bool:
    return bool(DOMAIN.match(normalise_domain(domain)))


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is not acceptable, or None. Length over composition, as NCSC advises."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use a password of at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use a password of at most {MAX_PASSWORD_LENGTH} characters."
    if email and normalise_email(password) == normalise_email(email):
        return "Do not use your e-mail address as your password."
    if len(set(password)) < 4:
        return "Use a password with more than a few different characters."
    return None


def normalise_companies_house_number(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()


def is_valid_companies_house_number(number: str) -> bool:
    """Eight digits, or two capital letters and six digits (Scotland SC, LLPs OC, ...)."""
    return bool(COMPANIES_HOUSE_NUMBER.match(normalise_companies_house_number(number)))


def normalise_ppon(ppon: str) -> str:
    """Capitals, the hyphens where the Central Digital Platform puts them, whatever spacing was typed."""
    compact = re.sub(r"[\s-]+", "", ppon).upper()
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}" if len(compact) == 12 else compact


def is_valid_ppon(ppon: str) -> bool:
    """P and three letters, four digits, four letters."""
    return bool(PPON.match(normalise_ppon(ppon)))

