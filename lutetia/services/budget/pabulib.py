"""Read participatory-budgeting elections in the pabulib format (https://pabulib.org/format).

A file has three sections, each a section name on its own line followed by a
``;``-separated CSV table with a header row: META (``key;value``), PROJECTS (one row per
project, ``project_id`` and ``cost`` required) and VOTES (one row per voter, ``voter_id``
and ``vote`` required: comma-separated project ids, in preference order for ordinal
ballots; ``points`` parallel to ``vote`` for cumulative and scoring ballots).

Only what the rules need is kept from VOTES, so that files with 100,000 voters read in
a fraction of a second; every PROJECTS column is kept in ``Project.fields``.
"""

from __future__ import annotations

import csv
import gc
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

SECTIONS = ("META", "PROJECTS", "VOTES")
VOTE_TYPES = ("approval", "cumulative", "ordinal", "choose-1", "scoring")


class PabulibError(ValueError):
    """A malformed file; the message names the line."""


@dataclass(frozen=True)
class Project:
    id: str
    cost: int
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ballot:
    voter_id: str
    projects: tuple[str, ...]  # in the file's order: preference order for ordinal ballots
    points: tuple[int, ...] | None = None


@dataclass
class Instance:
    meta: dict[str, str]
    projects: dict[str, Project]
    votes: list[Ballot]

    @property
    def budget(self) -> int:
        return _money(self.meta["budget"], "budget")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    def meta_int(self, key: str) -> int | None:
        value = self.meta.get(key)
        return None if value in (None, "") else _money(value, key)


def read(path: str | Path) -> Instance:
    """Parse a pabulib file; raise PabulibError (with the line number) if it is malformed."""
    collecting = gc.isenabled()
    gc.disable()  # 100,000 ballots trigger full collections that free nothing: 2x slower
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return parse(stream)
    except OSError as error:
        raise PabulibError(f"{path}: cannot read the file ({error.strerror}).") from error
    except UnicodeDecodeError as error:
        raise PabulibError(f"{path}: not UTF-8 text.") from error
    finally:
        if collecting:
            gc.enable()


def parse(lines) -> Instance:
    """Parse an iterable of lines (an open file or a list of strings)."""
    reader = csv.reader(lines, delimiter=";")
    tables: dict[str, tuple[int, list[str], list[tuple[int, list[str]]]]] = {}
    current: list[tuple[int, list[str]]] | None = None
    for row in reader:
        if len(row) == 1 and row[0].strip() in SECTIONS:
            name = row[0].strip()
            if name in tables:
                raise PabulibError(f"line {reader.line_num}: section {name} appears twice.")
            header = next(reader, None)
            if not header:
                raise PabulibError(f"line {reader.line_num}: section {name} has no header row.")
            current = []
            tables[name] = (reader.line_num, [column.strip() for column in header], current)
        elif current is None:
            if row:
                raise PabulibError(f"line {reader.line_num}: expected a section name (META).")
        elif row:
            current.append((reader.line_num, row))
    missing = [name for name in SECTIONS if name not in tables]
    if missing:
        raise PabulibError(f"missing section(s): {', '.join(missing)}.")
    meta = _meta(*tables["META"])
    projects = _projects(*tables["PROJECTS"])
    return Instance(meta, projects, _votes(*tables["VOTES"], projects))


def _meta(header_line: int, header: list[str], rows: list[tuple[int, list[str]]]) -> dict[str, str]:
    meta = {}
    for line, row in rows:
        if len(row) < 2:
            raise PabulibError(f"line {line}: META rows are key;value.")
        meta[row[0].strip()] = row[1].strip()
    if "budget" not in meta:
        raise PabulibError("META has no budget.")
    _money(meta["budget"], "META: budget")
    if meta.get("vote_type", "approval") not in VOTE_TYPES:
        raise PabulibError(f"META: unknown vote_type {meta['vote_type']!r}.")
    return meta


def _projects(
    header_line: int, header: list[str], rows: list[tuple[int, list[str]]]
) -> dict[str, Project]:
    columns = _require(header, ("project_id", "cost"), "PROJECTS", header_line)
    id_at, cost_at = columns
    projects: dict[str, Project] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise PabulibError(
                f"line {line}: {len(row)} fields, the PROJECTS header has {len(header)}."
            )
        project_id = row[id_at].strip()
        if project_id in projects:
            raise PabulibError(f"line {line}: project {project_id} appears twice.")
        fields = dict(zip(header, row, strict=True))
        cost = _money(row[cost_at], f"line {line}: cost")
        if cost < 0:
            raise PabulibError(f"line {line}: negative cost.")
        projects[project_id] = Project(project_id, cost, fields.get("name", ""), fields)
    return projects


def _votes(
    header_line: int,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    projects: dict[str, Project],
) -> list[Ballot]:
    voter_at, vote_at = _require(header, ("voter_id", "vote"), "VOTES", header_line)
    points_at = header.index("points") if "points" in header else None
    width = len(header)
    parsed_votes: dict[str, tuple[str, ...]] = {}  # many voters cast the same ballot
    ballots = []
    seen_voters: set[str] = set()
    for line, row in rows:
        if len(row) != width:
            raise PabulibError(f"line {line}: {len(row)} fields, the VOTES header has {width}.")
        text = row[vote_at]
        chosen = parsed_votes.get(text)
        if chosen is None:
            chosen = parsed_votes[text] = _parse_vote(text, projects, line)
        points = None if points_at is None else _parse_points(row[points_at], chosen, line)
        voter_id = row[voter_at]
        if voter_id in seen_voters:
            raise PabulibError(f"line {line}: voter {voter_id} votes twice.")
        seen_voters.add(voter_id)
        ballots.append(Ballot(voter_id, chosen, points))
    return ballots


def _parse_vote(text: str, projects: dict[str, Project], line: int) -> tuple[str, ...]:
    chosen = tuple(project.strip() for project in text.split(",")) if text.strip() else ()
    for project in chosen:
        if project not in projects:
            raise PabulibError(f"line {line}: unknown project {project!r} in the vote.")
    if len(set(chosen)) != len(chosen):
        raise PabulibError(f"line {line}: a project appears twice in the vote.")
    return chosen


def _parse_points(text: str, chosen: tuple[str, ...], line: int) -> tuple[int, ...]:
    try:
        points = tuple(int(p) for p in text.split(",")) if chosen else ()
    except ValueError:
        raise PabulibError(f"line {line}: points must be integers.") from None
    if len(points) != len(chosen):
        raise PabulibError(f"line {line}: {len(points)} points for {len(chosen)} projects.")
    return points


def _require(header: list[str], names: tuple[str, ...], section: str, line: int) -> list[int]:
    missing = [name for name in names if name not in header]
    if missing:
        raise PabulibError(f"line {line}: the {section} header lacks {', '.join(missing)}.")
    return [header.index(name) for name in names]


def _money(text: str, what: str) -> int:
    """An amount in whole currency units ("1000", "1000.0"); fractions of a unit are refused."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PabulibError(f"{what}: {text!r} is not a number.") from None
    if value != value.to_integral_value():
        raise PabulibError(f"{what}: {text!r} is not a whole amount.")
    return int(value)
