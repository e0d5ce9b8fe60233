"""Document numbers (发文字号) like 新科发〔2026〕12号: a sequence per prefix and year, taken
from a counter row inside the issuing command's transaction. The row's update locks it
until that transaction ends, so concurrent commands number one after the other, and a
command that rolls back gives its number back: the sequence has neither gaps nor twins."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import DocumentCounter

_COUNTER = DocumentCounter.__table__
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def take(session: Session, prefix: str, year: int) -> int:
    """The next number of `prefix` in `year`, 1 for the year's first document."""
    connection = connection_of(session)
    insert = _INSERTS[connection.dialect.name]
    connection.execute(insert(_COUNTER).values(prefix=prefix, year=year, last=0)
                       .on_conflict_do_nothing(index_elements=["prefix", "year"]))
    return connection.execute(
        update(_COUNTER).where(_COUNTER.c.prefix == prefix, _COUNTER.c.year == year)
        .values(last=_COUNTER.c.last + 1).returning(_COUNTER.c.last)
    ).scalar_one()


def formatted(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}〔{year}〕{sequence}号"
