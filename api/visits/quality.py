"""The automatic quality checks of SPEC §6, as pure functions over facts the service gathers.

Each check returns flags with the numbers behind them, so a reviewer sees the evidence
("GPS 412 m from the household's recorded location"), not just a red dot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field


class QualityThresholds(BaseModel):
    """Configurable through ``VERVAL_QC_*`` settings (see api/settings.py)."""

    gps_accuracy_m: float = Field(default=30.0, gt=0)
    household_distance_m: float = Field(default=150.0, gt=0)
    photo_distance_m: float = Field(default=100.0, gt=0)
    photo_time_window_min: float = Field(default=10.0, ge=0)
    min_visit_minutes: float = Field(default=3.0, ge=0)
    max_speed_kmh: float = Field(default=80.0, gt=0)
    same_spot_radius_m: float = Field(default=25.0, gt=0)
    same_spot_households: int = Field(default=4, ge=2)
    same_spot_window_hours: float = Field(default=12.0, gt=0)
    near_duplicate_bits: int = Field(default=6, ge=0, le=32)


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass
class FlagDraft:
    code: str
    severity: str
    evidence: dict[str, Any]
    photo_id: str | None = None


@dataclass
class PhotoFacts:
    id: str
    kind: str
    captured_at: datetime
    location: Point | None
    sha256: str


@dataclass
class PriorVisit:
    """The enumerator's visit just before (or after) this one, for impossible travel."""

    visit_id: str
    household_id: int | None
    ended_at: datetime
    started_at: datetime
    location: Point


@dataclass
class VisitFacts:
    visit_id: str
    household_id: int | None
    started_at: datetime
    ended_at: datetime
    location: Point | None
    accuracy_m: float | None
    household_location: Point | None
    photos: list[PhotoFacts] = field(default_factory=list)


EARTH_RADIUS_M = 6_371_008.8


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def check_gps(visit: VisitFacts, limits: QualityThresholds) -> list[FlagDraft]:
    if visit.location is None:
        return [FlagDraft("gps_missing", "warning", {})]
    flags = []
    if visit.accuracy_m is None:
        flags.append(FlagDraft("gps_accuracy_missing", "warning", {}))
    elif visit.accuracy_m == 0:
        # Real receivers never report exactly 0 m; mock-location apps often do.
        flags.append(FlagDraft("gps_accuracy_zero", "critical", {"accuracy_m": 0}))
    elif visit.accuracy_m > limits.gps_accuracy_m:
        flags.append(
            FlagDraft(
                "gps_poor_accuracy",
                "warning",
                {"accuracy_m": round(visit.accuracy_m, 1), "threshold_m": limits.gps_accuracy_m},
            )
        )
    if visit.household_location is not None:
        distance = distance_m(visit.location, visit.household_location)
        if distance > limits.household_distance_m:
            flags.append(
                FlagDraft(
                    "far_from_household",
                    "warning",
                    {"distance_m": round(distance), "threshold_m": limits.household_distance_m},
                )
            )
    return flags


def check_photos(visit: VisitFacts, limits: QualityThresholds) -> list[FlagDraft]:
    flags = []
    window = timedelta(minutes=limits.photo_time_window_min)
    for photo in visit.photos:
        if (
            photo.captured_at < visit.started_at - window
            or photo.captured_at > visit.ended_at + window
        ):
            outside = (
                (visit.started_at - photo.captured_at)
                if photo.captured_at < visit.started_at
                else (photo.captured_at - visit.ended_at)
            )
            flags.append(
                FlagDraft(
                    "photo_outside_visit_window",
                    "warning",
                    {
                        "minutes_outside": round(outside.total_seconds() / 60, 1),
                        "window_min": limits.photo_time_window_min,
                        "kind": photo.kind,
                    },
                    photo_id=photo.id,
                )
            )
        if photo.location is not None and visit.location is not None:
            distance = distance_m(photo.location, visit.location)
            if distance > limits.photo_distance_m:
                flags.append(
                    FlagDraft(
                        "photo_far_from_visit",
                        "warning",
                        {
                            "distance_m": round(distance),
                            "threshold_m": limits.photo_distance_m,
                            "kind": photo.kind,
                        },
                        photo_id=photo.id,
                    )
                )
    return flags


def check_duration(visit: VisitFacts, limits: QualityThresholds) -> list[FlagDraft]:
    minutes = (visit.ended_at - visit.started_at).total_seconds() / 60
    if minutes < limits.min_visit_minutes:
        return [
            FlagDraft(
                "visit_too_short",
                "warning",
                {"minutes": round(minutes, 1), "minimum_min": limits.min_visit_minutes},
            )
        ]
    return []


def check_travel(
    visit: VisitFacts, neighbours: list[PriorVisit], limits: QualityThresholds
) -> list[FlagDraft]:
    """Impossible travel between this visit and the enumerator's previous and next ones."""
    if visit.location is None:
        return []
    flags = []
    for other in neighbours:
        if other.ended_at <= visit.started_at:
            hours = (visit.started_at - other.ended_at).total_seconds() / 3600
        else:
            hours = (other.started_at - visit.ended_at).total_seconds() / 3600
        distance = distance_m(visit.location, other.location)
        if distance < 1000:
            continue  # GPS noise between neighbouring houses is not travel
        speed = distance / 1000 / max(hours, 1 / 3600)
        if speed > limits.max_speed_kmh:
            flags.append(
                FlagDraft(
                    "impossible_travel",
                    "critical",
                    {
                        "speed_kmh": round(speed),
                        "distance_m": round(distance),
                        "minutes": round(hours * 60, 1),
                        "other_visit": other.visit_id,
                        "threshold_kmh": limits.max_speed_kmh,
                    },
                )
            )
    return flags


def check_same_spot(
    visit: VisitFacts, nearby_households: set[int], limits: QualityThresholds
) -> list[FlagDraft]:
    """Many different households 'visited' from one spot: the desk-check pattern."""
    households = set(nearby_households)
    if visit.household_id is not None:
        households.add(visit.household_id)
    if len(households) >= limits.same_spot_households:
        return [
            FlagDraft(
                "many_households_same_spot",
                "critical",
                {
                    "households": len(households),
                    "radius_m": limits.same_spot_radius_m,
                    "window_hours": limits.same_spot_window_hours,
                },
            )
        ]
    return []


def member_registry_checks(
    members: list[dict[str, Any]], baseline_niks: set[str], niks_elsewhere: dict[str, int]
) -> list[FlagDraft]:
    """Member changes a civil-registry (Dukcapil) check must confirm. Evidence holds no NIK."""
    flags = []
    for index, member in enumerate(members):
        presence = str(member.get("presence", ""))
        nik = str(member.get("nik") or "")
        if presence == "2":
            flags.append(FlagDraft("member_died", "info", {"member_index": index}))
        if nik and nik not in baseline_niks:
            flags.append(FlagDraft("member_new_nik", "info", {"member_index": index}))
        if nik and nik in niks_elsewhere:
            flags.append(
                FlagDraft(
                    "member_nik_in_other_household",
                    "critical",
                    {"member_index": index, "other_household_id": niks_elsewhere[nik]},
                )
            )
    return flags


def bounding_box(center: Point, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) around a point, for an indexable SQL pre-filter."""
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(0.01, math.cos(math.radians(center.lat))))
    return center.lat - dlat, center.lat + dlat, center.lon - dlon, center.lon + dlon


def thresholds_from_settings(settings: Any) -> QualityThresholds:
    return QualityThresholds(
        gps_accuracy_m=settings.qc_gps_accuracy_m,
        household_distance_m=settings.qc_household_distance_m,
        photo_distance_m=settings.qc_photo_distance_m,
        photo_time_window_min=settings.qc_photo_time_window_min,
        min_visit_minutes=settings.qc_min_visit_minutes,
        max_speed_kmh=settings.qc_max_speed_kmh,
        same_spot_radius_m=settings.qc_same_spot_radius_m,
        same_spot_households=settings.qc_same_spot_households,
        near_duplicate_bits=settings.qc_near_duplicate_bits,
    )
