"""Bodies of the forms endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class FormSummary(BaseModel):
    form_id: str
    version: int
    title: dict[str, str]
    content_hash: str
    published_at: datetime
    url: str


class PublishResult(BaseModel):
    form_id: str
    version: int
    content_hash: str
    created: bool
