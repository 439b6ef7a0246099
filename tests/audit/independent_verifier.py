"""An evidence-bundle checker written from docs/evidence-bundle.md alone.

Python standard library only; it does not import Verval, so it shows that a third party can
check a bundle from the specification. Usage: ``python independent_verifier.py bundle.zip``;
prints one line per problem and exits 0 when the bundle is intact, 1 otherwise.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from typing import Any

FORMAT = "verval-evidence-bundle/3"
HASHED_EVENT_KEYS = (
    "seq",
    "occurred_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "region_code",
    "details",
    "prev_hash",
)


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lines(archive: zipfile.ZipFile, name: str) -> list[bytes]:
    return [line for line in archive.read(name).split(b"\n") if line.strip()]


def check_chain(archive: zipfile.ZipFile, problems: list[str]) -> dict[tuple[str, str], Any]:
    """Spec step 2. Returns the details of full events by (action, object_id)."""
    events = [json.loads(line) for line in lines(archive, "chain.jsonl")]
    if not events:
        problems.append("chain: empty segment")
    details: dict[tuple[str, str], Any] = {}
    for before, event in zip([None, *events], events, strict=False):
        if before is not None:
            if event["seq"] != before["seq"] + 1:
                problems.append(f"chain: gap between event {before['seq']} and {event['seq']}")
            if event["prev_hash"] != before["event_hash"]:
                problems.append(f"chain: event {event['seq']} does not link to {before['seq']}")
        if "action" in event:
            computed = sha256(canonical({k: event[k] for k in HASHED_EVENT_KEYS}))
            if computed != event["event_hash"]:
                problems.append(
                    f"chain: event {event['seq']} hashes to {computed}, "
                    f"its event_hash is {event['event_hash']}"
                )
            details[(event["action"], event["object_id"])] = event["details"]
    segment = json.loads(archive.read("manifest.json")).get("chain") or {}
    if events:
        found = (events[0]["seq"], events[-1]["seq"], events[-1]["event_hash"])
        announced = (
            segment.get("first_seq"),
            segment.get("last_seq"),
            segment.get("last_event_hash"),
        )
        if found != announced:
            problems.append(f"manifest: chain segment {announced}, chain.jsonl holds {found}")
    return details


def in_scope(record: dict[str, Any], scope: dict[str, Any]) -> bool:
    if scope.get("region"):
        region = scope["region"]
        return bool(
            record["region_code"] == region or record["region_code"].startswith(region + ".")
        )
    return bool(record["household_id"] == scope.get("household_id"))


def verify(path: str) -> tuple[list[str], list[str]]:
    """(problems, visits whose record was not sealed)."""
    problems: list[str] = []
    unsealed: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        required = ["manifest.json", "chain.jsonl", "records.jsonl", "visits.jsonl", "photos.jsonl"]
        missing = [name for name in required if name not in names]
        if missing:
            return [f"missing files: {', '.join(missing)}"], unsealed
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:  # step 1
            return [f"format {manifest.get('format')!r} is not {FORMAT}"], unsealed
        sealed = check_chain(archive, problems)

        records = lines(archive, "records.jsonl")  # step 3
        record_ids = set()
        for line in records:
            record = json.loads(line)
            visit_id = record["visit_id"]
            record_ids.add(visit_id)
            event = sealed.get(("visit.received", visit_id))
            if event is None:
                problems.append(f"record {visit_id}: no visit.received event in the segment")
            elif "record_hash" not in event:
                unsealed.append(visit_id)
            elif sha256(line) != event["record_hash"]:
                problems.append(
                    f"record {visit_id}: hashes to {sha256(line)}, sealed {event['record_hash']}"
                )
            if not in_scope(record, manifest["scope"]):
                problems.append(f"record {visit_id}: outside the bundle's scope")

        visits = [json.loads(line) for line in lines(archive, "visits.jsonl")]  # step 4
        for visit in visits:
            event = sealed.get(("visit.received", visit["id"]))
            if event is None or event.get("content_hash") != visit["content_hash"]:
                problems.append(f"visit {visit['id']}: content_hash differs from the chain's")
            if visit["id"] not in record_ids:
                problems.append(f"visit {visit['id']}: no record")

        photos = [json.loads(line) for line in lines(archive, "photos.jsonl")]  # step 5
        for photo in photos:
            if photo["file"] not in names:
                problems.append(f"photo {photo['id']}: {photo['file']} is missing")
            else:
                data = archive.read(photo["file"])
                if sha256(data) != photo["sha256"] or len(data) != photo["size"]:
                    problems.append(
                        f"photo {photo['id']}: file hashes to {sha256(data)} ({len(data)} bytes), "
                        f"expected {photo['sha256']} ({photo['size']} bytes)"
                    )
            event = sealed.get(("photo.received", photo["id"]))
            if event is None or event.get("sha256") != photo["sha256"]:
                problems.append(f"photo {photo['id']}: sha256 differs from the chain's")

        counts = manifest.get("counts", {})  # step 6
        for name, found in (
            ("visits", len(records)),
            ("visits", len(visits)),
            ("photos", len(photos)),
        ):
            if counts.get(name) != found:
                problems.append(f"manifest: {counts.get(name)} {name} announced, {found} found")
    return problems, unsealed


def main(argv: list[str]) -> int:
    problems, unsealed = verify(argv[1])
    for problem in problems:
        print(problem)
    if unsealed:
        print(f"{len(unsealed)} visits have no sealed record (received before format 3)")
    print("INTACT" if not problems else f"TAMPERED: {len(problems)} problems")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
