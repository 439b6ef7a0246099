"""The audit append is one statement, and concurrent appends never fork the chain."""

from __future__ import annotations

import asyncio

from api import db
from api.audit.service import Actor, append_event, event_hash
from api.audit.tables import AuditEvent
from api.audit.verify import VerificationReport, verify_chain
from tests.support.databases import TestDatabase


async def test_an_append_inside_a_transaction_is_one_statement(database: TestDatabase) -> None:
    async with db.request_connection():
        async with db.write_transaction():
            await append_event(Actor.system(), "test.first", "thing", 1)
            with db.count_statements() as counted:
                digest = await append_event(
                    Actor.user(7),
                    "test.second",
                    "thing",
                    "x",
                    region_code="17.06",
                    details={"a": [1, "ü"], "b": None},
                )
    assert counted.count == 1, str(counted)
    rows = await AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
    assert [row["seq"] for row in rows] == [1, 2]
    second = rows[1]
    assert second["prev_hash"] == rows[0]["event_hash"] and second["event_hash"] == digest
    # The hash the database finished is the one the verifier and bundles recompute.
    assert digest == event_hash(
        seq=2,
        occurred_at=second["occurred_at"],
        actor="user:7",
        action="test.second",
        object_type="thing",
        object_id="x",
        region_code="17.06",
        details={"a": [1, "ü"], "b": None},
        prev_hash=rows[0]["event_hash"],
    )


async def test_concurrent_appends_make_one_unbroken_chain(database: TestDatabase) -> None:
    async def one(index: int) -> None:
        async with db.request_connection():
            async with db.write_transaction():
                await append_event(Actor.system(), "test.concurrent", "thing", index)

    await asyncio.gather(*(one(i) for i in range(12)))
    report = VerificationReport()
    await verify_chain(report)
    assert report.ok and report.chain_events_checked == 12, report.as_dict()
