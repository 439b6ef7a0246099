"""Published form versions: immutable once stored, named by (form id, version)."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class FormVersion(Table, tablename="form_version"):
    id = Serial(primary_key=True)
    form_id = Varchar(length=64, index=True)
    version = Integer()
    # "<form_id>@<version>": one unique column keeps (form_id, version) unique on both databases.
    form_key = Varchar(length=80, unique=True)
    title_id = Varchar(length=200)
    title_en = Varchar(length=200)
    content_hash = Varchar(length=64)
    definition = Text()  # the canonical JSON that content_hash covers
    published_at = Timestamptz()
    published_by = Varchar(length=80)
