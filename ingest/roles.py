"""The roles of a table's columns, for its records: ``core.quantities.column_role`` per header.

One header alone cannot say whether a bare year ("2020年") is a base or a target; among the headers
of one table it can: the earliest bare year is the base, later ones are targets.
"""
from __future__ import annotations

import re

from core.quantities import column_role

ATTRIBUTE, UNIT, ITEM, BASE, TARGET = "attribute", "unit", "item", "base", "target"
_BARE_YEAR = re.compile(r"^(?:19|20)\d{2}(?:年(?:底|末)?)?$")


def column_roles(headers: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Role and year of each column, ``(roles, years)`` keyed by the header as given.

    Columns with none of the roles (a growth rate, 备注) are left out of ``roles``; the first column
    names the rows, so it is the item when its header says nothing else.
    """
    roles: dict[str, str] = {}
    years: dict[str, int] = {}
    bare: list[str] = []
    for i, header in enumerate(headers):
        found = column_role(header)
        if found.year is not None:
            years[header] = found.year
        if _BARE_YEAR.match(header) and found.year is not None:
            bare.append(header)
        elif found.role != "value":
            roles[header] = found.role
        elif i == 0:
            roles[header] = ITEM
    first = min(bare, key=lambda h: years[h]) if bare else ""
    for header in bare:
        roles[header] = BASE if header == first and len(bare) > 1 else TARGET
    return roles, years
