"""Tables, and the numbered migrations that create and evolve them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
)

metadata = MetaData()

schema_version = Table("auditor_schema", metadata, Column("version", Integer, primary_key=True))

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("portal", String(300), nullable=False),  # config id, or the portal URL
    Column("url", Text, nullable=False),
    Column("platform", String(20), nullable=False, default=""),
    Column("started", String(40), nullable=False),  # ISO 8601 UTC: sorts as text everywhere
    Column("finished", String(40)),
    Column("status", String(20), nullable=False),  # running | complete | incomplete | failed | interrupted
    Column("score", Float),
    Column("grade", String(4)),
    Column("datasets", Integer),
    Column("version", String(40)),
    Column("report", Text),  # the whole report JSON: any past report can be redrawn
    # Who runs it (v2): a store opened while a run is live must not call it interrupted.
    Column("host", String(255)),
    Column("pid", Integer),
)
Index("runs_portal_started", runs.c.portal, runs.c.started)

datasets = Table(
    "datasets", metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("dataset_id", String(300), primary_key=True),
    Column("title", Text),
    Column("department", Text),
    Column("score", Float),
    Column("grade", String(4)),
    Column("markers", Text),  # JSON: change markers (data and metadata modified)
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("dataset_id", String(300), nullable=False),
    Column("check_id", String(120), nullable=False),
    Column("resource_id", Text, nullable=False, default=""),
    Column("status", String(10), nullable=False),
    Column("value", Float),
    Column("weight", Float),
    Column("dimension", String(40)),
    Column("message", Text),
    Column("details", Text),  # JSON
)
Index("findings_run", findings.c.run_id, findings.c.dataset_id)

scores = Table(
    "scores", metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("scope", String(20), primary_key=True),  # portal | department | dataset
    Column("name", String(300), primary_key=True),
    Column("dimension", String(40), primary_key=True),  # overall, or a dimension
    Column("value", Float),
)


# Digests that could not be delivered (v2): kept until a later night delivers them.
pending_digests = Table(
    "pending_digests", metadata,
    Column("portal", String(300), primary_key=True),
    Column("department", String(300), primary_key=True),
    Column("channel", String(10), primary_key=True),  # email | webhook
    Column("since", String(40), nullable=False),  # the first night whose digest was not delivered
    Column("payload", Text, nullable=False),  # JSON: {"new": [...], "fixed": [...]} problems
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[runs, datasets, findings, scores])


def _v2(conn: Connection) -> None:
    # A new store got the columns from _v1's current table definition; an old one gets them here.
    have = {c["name"] for c in inspect(conn).get_columns("runs")}
    for name, kind in (("host", "VARCHAR(255)"), ("pid", "INTEGER")):
        if name not in have:
            conn.execute(text(f"ALTER TABLE runs ADD COLUMN {name} {kind}"))
    metadata.create_all(conn, tables=[pending_digests])


# Append only: a released migration never changes, a new one gets the next number.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "runs, datasets, findings, scores", _v1),
    (2, "who runs a run; digests not yet delivered", _v2),
]


def migrate(conn: Connection) -> int:
    """Bring the schema up to date inside ``conn``'s transaction; the version reached."""
    metadata.create_all(conn, tables=[schema_version])
    current = conn.execute(select(schema_version.c.version).order_by(schema_version.c.version.desc())).first()
    version = current[0] if current else 0
    for number, _, step in MIGRATIONS:
        if number > version:
            step(conn)
            conn.execute(insert(schema_version).values(version=number))
            version = number
    return version
