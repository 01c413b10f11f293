"""The technology categories that requirements and lots are pooled by, with their CPV codes."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    cpv: str  # Common Procurement Vocabulary code, with its check digit
    cpv_description: str
    units: tuple[str, ...]


CATEGORIES: dict[str, Category] = {c.key: c for c in [
    Category("devices", "End-user devices", "30200000-1", "Computer equipment and supplies",
             ("device", "laptop", "desktop", "tablet", "monitor")),
    Category("cloud_hosting", "Cloud hosting", "72415000-2", "World wide web (www) site operation host services",
             ("vCPU-month", "TB-month", "instance-month")),
    Category("networks", "Networks and connectivity", "32400000-7", "Networks",
             ("site", "port", "Mbps-month")),
    Category("software_licences", "Software licences", "48000000-8", "Software package and information systems",
             ("licence", "user-year")),
    Category("support_services", "IT support services", "72250000-2", "System and support services",
             ("day", "hour", "user-year")),
    Category("telephony", "Telephony", "64200000-8", "Telecommunications services",
             ("line-month", "handset", "user-year")),
    Category("managed_print", "Managed print", "30120000-6", "Photocopying and offset printing equipment",
             ("device", "page")),
]}


def category(key: str) -> Category | None:
    return CATEGORIES.get(key)


def unit_problem(category_key: str, unit: str) -> str | None:
    found = CATEGORIES.get(category_key)
    if found is None:
        return "Choose one of the categories: " + ", ".join(CATEGORIES) + "."
    if unit not in found.units:
        return f"For {found.name.lower()}, the unit is one of: {', '.join(found.units)}."
    return None
