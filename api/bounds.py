"""Bounded types for what requests carry into the database: ids, counts, dates.

Every integer column is at most a 32-bit ``integer`` on PostgreSQL (``serial`` keys), while
SQLite holds 64 bits: an id beyond 2^31-1 would be a driver error on one database and a
plain miss on the other. Declaring the range on the request makes both answer the same 400
(and the OpenAPI schema says it). Dates outside 2000-2100 are typing errors, not rounds.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar.params import PathParameter, QueryParameter
from pydantic import Field

INT4_MAX = 2_147_483_647
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# In paths and query strings (Litestar parameters).
IdPath = Annotated[int, PathParameter(ge=1, le=INT4_MAX)]
IdQuery = Annotated[int | None, QueryParameter(ge=1, le=INT4_MAX)]
RequiredIdQuery = Annotated[int, QueryParameter(ge=1, le=INT4_MAX)]
CursorAfter = Annotated[int | None, QueryParameter(ge=0, le=INT4_MAX)]

# In bodies (pydantic models).
BodyId = Annotated[int, Field(ge=1, le=INT4_MAX)]
BodyCount = Annotated[int, Field(ge=0, le=INT4_MAX)]
PlausibleDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
