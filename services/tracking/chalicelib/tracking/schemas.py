"""Identifiers tracking accepts in paths and bodies."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import StringConstraints

from truckroll.errors import FieldError, ValidationFailed

ID_PATTERN = r"^[A-Za-z0-9@._:-]{1,100}$"
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


def path_id(name: str, value: str) -> str:
    if not re.fullmatch(ID_PATTERN, value):
        raise ValidationFailed([FieldError(name, "expected 1 to 100 letters, digits or @ . _ : -")])
    return value


def path_day(name: str, value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed([FieldError(name, "expected a calendar date as YYYY-MM-DD")]) from error
