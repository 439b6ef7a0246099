"""A visit PUT reaches the database at most 8 times, authentication included (#18).

Measured in the steady state of a worker: the form definition and the district list
are cached by an earlier visit; the session check is made cold (the cache emptied),
so authentication is counted.
"""

from __future__ import annotations

import uuid

from auth import session_cache
from tests.support.field import FOUND_KINDS, photos_for, visit_body
from tests.support.round_trips import measure

# PostgreSQL: the target of #18 (measured: 6; 7 before the pool stopped sending a reset
# query on every release). SQLite, in-process and without
# data-modifying CTEs, writes the visit, photos, flags, assignment and change log as
# five statements (measured: 11, one of them opening the request's connection).
VISIT_PUT_BUDGET = {"postgres": 8, "sqlite": 11}


async def test_a_visit_put_makes_at_most_8_round_trips(app_client, phone, field, database):
    budget = VISIT_PUT_BUDGET[database.backend]
    first = visit_body(field, field.household_ids[1], photos_for(FOUND_KINDS, seed=1))
    warm = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=first, headers=phone)
    assert warm.status_code == 201, warm.text
    session_cache.sessions.clear()

    body = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS, seed=2))
    visit_id = uuid.uuid4()
    response, counted = await measure(
        app_client, "PUT", f"/api/v1/visits/{visit_id}", json=body, headers=phone
    )
    assert response.status_code == 201, response.text
    print(f"\nvisit PUT: {counted.count} round trips\n{counted}")
    assert counted.count <= budget, str(counted)

    # The repeat answers with the same receipt, also cheaply.
    repeat, counted_repeat = await measure(
        app_client, "PUT", f"/api/v1/visits/{visit_id}", json=body, headers=phone
    )
    assert repeat.status_code == 200 and repeat.json() == response.json()
    assert counted_repeat.count <= budget, str(counted_repeat)
