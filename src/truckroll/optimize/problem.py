"""PROBLEM.json: validation (one precise message naming the wrong field) and the internal model.

Times become integer seconds since the Unix epoch; travel becomes one integer matrix of seconds
between *places* (distinct technician starts and ends and job locations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

EARTH_RADIUS_KM = 6371.0088


class ProblemError(ValueError):
    """Bad input. ``str(err)`` is one line: ``path: what is wrong``."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _parse_stamp(value: object) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.utcoffset() is not None:
            return parsed
    raise ValueError("not an ISO-8601 datetime with offset")


Stamp = Annotated[datetime, BeforeValidator(_parse_stamp)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LocationIn(_Input):
    id: str | None = Field(default=None, min_length=1)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class IntervalIn(_Input):
    start: Stamp
    end: Stamp

    @model_validator(mode="after")
    def _ordered(self) -> IntervalIn:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class BlockIn(IntervalIn):
    kind: str = "block"


class TechnicianIn(_Input):
    id: str = Field(min_length=1)
    skills: list[str] = []
    start: LocationIn
    end: LocationIn | None = None
    shift: IntervalIn
    blocks: list[BlockIn] = []
    max_leg_minutes: float | None = Field(default=None, gt=0)


class JobIn(_Input):
    id: str = Field(min_length=1)
    location: LocationIn
    duration_minutes: float = Field(ge=0, le=7 * 24 * 60)
    windows: list[IntervalIn] = []
    skills: list[str] = []
    priority: int = Field(default=5, ge=1, le=10)
    required: bool = False
    technician: str | None = None
    locked_start: Stamp | None = None
    technicians_needed: int = Field(default=1, ge=1)


class TravelIn(_Input):
    speed_kmh: float | None = Field(default=None, gt=0)
    circuity: float = Field(default=1.3, ge=1)
    matrix_seconds: list[list[float]] | None = None
    index: dict[str, int] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> TravelIn:
        if self.matrix_seconds is None and self.index is None:
            if self.speed_kmh is None:
                raise ValueError("give speed_kmh, or matrix_seconds with index")
        elif self.matrix_seconds is None or self.index is None:
            raise ValueError("matrix_seconds and index go together")
        elif self.speed_kmh is not None:
            raise ValueError("give speed_kmh or matrix_seconds, not both")
        return self


class ProblemIn(_Input):
    timezone: str = "UTC"
    travel: TravelIn = TravelIn(speed_kmh=40.0)
    technicians: list[TechnicianIn]
    jobs: list[JobIn]


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """A closed interval of epoch seconds."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Tech:
    id: str
    skills: frozenset[str]
    start_place: int
    end_place: int
    shift: Window
    blocks: tuple[Window, ...]  # inside the shift, sorted, merged
    max_leg: int | None  # seconds


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    place: int
    duration: int  # seconds
    windows: tuple[Window, ...]  # empty: any time
    skills: frozenset[str]
    priority: int
    required: bool
    technician: str | None
    locked_start: int | None
    needed: int


@dataclass(frozen=True, slots=True)
class Problem:
    timezone: ZoneInfo
    techs: tuple[Tech, ...]
    jobs: tuple[Job, ...]
    travel: npt.NDArray[np.int64]  # seconds between places
    coords: tuple[tuple[float, float], ...]  # (lon, lat) of each place, 0 when unknown

    def leg(self, frm: int, to: int) -> int:
        return int(self.travel[frm, to])


def epoch(stamp: datetime) -> int:
    return math.floor(stamp.timestamp())


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(root)"


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def parse_problem(raw: object) -> Problem:
    """Validate PROBLEM.json (already decoded) and build the internal model, or raise ProblemError."""
    if not isinstance(raw, dict):
        raise ProblemError("(root)", "expected a JSON object")
    try:
        spec = ProblemIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ProblemError(_path(first["loc"]), _message(first)) from None
    try:
        zone = ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProblemError("timezone", f"unknown time zone {spec.timezone!r}") from None
    _unique([t.id for t in spec.technicians], "technicians")
    _unique([j.id for j in spec.jobs], "jobs")
    places = _Places(spec.travel)
    techs = tuple(_tech(i, t, places) for i, t in enumerate(spec.technicians))
    jobs = tuple(_job(i, j, places) for i, j in enumerate(spec.jobs))
    return Problem(zone, techs, jobs, places.matrix(), tuple(places.coords))


def _unique(ids: list[str], field: str) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise ProblemError(f"{field}[{i}].id", f"duplicate id {ident!r}")
        seen.add(ident)


class _Places:
    """Distinct places, keyed by matrix row (matrix travel) or by coordinates (speed travel)."""

    def __init__(self, travel: TravelIn) -> None:
        self._travel = travel
        self._ids: dict[tuple[float, float] | int, int] = {}
        self.coords: list[tuple[float, float]] = []
        self._rows: list[int] = []
        if travel.matrix_seconds is not None:
            size = len(travel.matrix_seconds)
            for i, row in enumerate(travel.matrix_seconds):
                if len(row) != size:
                    raise ProblemError(f"travel.matrix_seconds[{i}]", f"has {len(row)} entries, not {size}")
                for k, value in enumerate(row):
                    if not math.isfinite(value) or value < 0:
                        raise ProblemError(f"travel.matrix_seconds[{i}][{k}]", "not a non-negative number")
            for key, row_idx in (travel.index or {}).items():
                if not 0 <= row_idx < size:
                    raise ProblemError(
                        f"travel.index.{key}", f"row {row_idx} is outside the {size}x{size} matrix"
                    )

    def place(self, loc: LocationIn, path: str) -> int:
        travel = self._travel
        if travel.index is not None:
            if loc.id is None:
                raise ProblemError(f"{path}.id", "required with matrix travel")
            if loc.id not in travel.index:
                raise ProblemError(f"{path}.id", f"{loc.id!r} is not in travel.index")
            key: tuple[float, float] | int = travel.index[loc.id]
        else:
            if loc.lat is None:
                raise ProblemError(f"{path}.lat", "required with speed-based travel")
            if loc.lon is None:
                raise ProblemError(f"{path}.lon", "required with speed-based travel")
            key = (loc.lon, loc.lat)
        if key not in self._ids:
            self._ids[key] = len(self.coords)
            self.coords.append((loc.lon or 0.0, loc.lat or 0.0))
            if isinstance(key, int):
                self._rows.append(key)
        return self._ids[key]

    def matrix(self) -> npt.NDArray[np.int64]:
        travel = self._travel
        if travel.matrix_seconds is not None:
            full = np.asarray(travel.matrix_seconds, dtype=np.float64).reshape(
                len(travel.matrix_seconds), len(travel.matrix_seconds)
            )
            rows = np.asarray(self._rows, dtype=np.int64)
            out = np.rint(full[np.ix_(rows, rows)]).astype(np.int64)
        else:
            assert travel.speed_kmh is not None
            out = travel_seconds(self.coords, travel.speed_kmh, travel.circuity)
        np.fill_diagonal(out, 0)
        return out


def travel_seconds(
    coords: Sequence[tuple[float, float]], speed_kmh: float, circuity: float
) -> npt.NDArray[np.int64]:
    """Great-circle distance times circuity, driven at speed_kmh, rounded to whole seconds."""
    if not coords:
        return np.zeros((0, 0), dtype=np.int64)
    lon, lat = np.radians(np.asarray(coords, dtype=np.float64)).T
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    seconds: npt.NDArray[np.int64] = np.rint(km * circuity / speed_kmh * 3600).astype(np.int64)
    return seconds


def _merge(blocks: list[Window], shift: Window) -> tuple[Window, ...]:
    clipped = sorted(
        Window(max(b.start, shift.start), min(b.end, shift.end))
        for b in blocks
        if b.end > shift.start and b.start < shift.end and b.end > b.start
    )
    merged: list[Window] = []
    for b in clipped:
        if merged and b.start <= merged[-1].end:
            merged[-1] = Window(merged[-1].start, max(merged[-1].end, b.end))
        else:
            merged.append(b)
    return tuple(merged)


def _tech(i: int, spec: TechnicianIn, places: _Places) -> Tech:
    path = f"technicians[{i}]"
    start = places.place(spec.start, f"{path}.start")
    end = places.place(spec.end, f"{path}.end") if spec.end is not None else start
    shift = Window(epoch(spec.shift.start), epoch(spec.shift.end))
    blocks = [Window(epoch(b.start), epoch(b.end)) for b in spec.blocks]
    cap = None if spec.max_leg_minutes is None else round(spec.max_leg_minutes * 60)
    return Tech(spec.id, frozenset(spec.skills), start, end, shift, _merge(blocks, shift), cap)


def _job(i: int, spec: JobIn, places: _Places) -> Job:
    return Job(
        id=spec.id,
        place=places.place(spec.location, f"jobs[{i}].location"),
        duration=round(spec.duration_minutes * 60),
        windows=tuple(sorted(Window(epoch(w.start), epoch(w.end)) for w in spec.windows)),
        skills=frozenset(spec.skills),
        priority=spec.priority,
        required=spec.required,
        technician=spec.technician,
        locked_start=None if spec.locked_start is None else epoch(spec.locked_start),
        needed=spec.technicians_needed,
    )
