"""Statistics: the figures' per-item facts kept by the database (stats_items,
stats_report_concerns), written by triggers in the same transaction as every change

Revision ID: 0080
Revises: 0070

Each summary row is *refreshed*: deleted and selected again from the base tables by one
statement per summary (`ITEM_FACTS`, `REPORT_CONCERNS`), so a rule lives in one place and is
the same whichever change fired it (an item registered or corrected, a skyddsbedömning
finished, a decision signed or corrected, a child's personnummer or birth date corrected, a
child merge moving items, a concern code corrected, gallring deleting rows). Triggers rather
than a service helper: no future service, import path or raw bulk insert can forget them.
SQLite and PostgreSQL run the same refresh statements; only the few expressions below differ.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0080"
down_revision = "0070"
branch_labels = None
depends_on = None

ITEM_COLUMNS = ("item_id, report_id, first_of_report, first_violent_of_report, child_id, "
                "received_at, flag_violence, protection_due, decision_due, decision_due_extended, "
                "outcome, assessed_at, decided_at, days_to_decision, age, sex")

# Per dialect: elapsed days between two timestamps; a timestamp's or date's (UTC) day as the
# integer YYYYMMDD. The same values the figures computed from the base tables before.
DAYS = {
    "sqlite": "julianday({later}) - julianday({earlier})",
    "postgresql": "extract(epoch from {later} - {earlier}) / 86400.0",
}
YYYYMMDD = {
    # ISO text as SQLAlchemy stores it ('2025-03-14', '2025-03-14 09:30:…')
    "sqlite": "CAST(replace(substr({value}, 1, 10), '-', '') AS INTEGER)",
    "postgresql": "CAST(to_char({value}, 'YYYYMMDD') AS INTEGER)",
}
UTC_DAY = {"sqlite": "{value}", "postgresql": "({value} AT TIME ZONE 'UTC')"}
JSON_ELEMENTS = {
    "sqlite": "json_each(r.concern_codes) AS codes",
    "postgresql": "json_array_elements_text(CASE WHEN json_typeof(r.concern_codes) = 'array' "
                  "THEN r.concern_codes END) AS codes(value)",
}

# The facts of the items whose ids `{ids}` selects (a value or a subquery).
ITEM_FACTS = """
INSERT INTO stats_items ({columns})
SELECT f.item_id, f.report_id, f.first_of_report, f.first_violent_of_report, f.child_id,
       f.received_at, f.flag_violence, f.protection_due,
       f.decision_due, f.decision_due_extended, f.outcome, f.assessed_at, f.decided_at,
       {days}, f.age, f.sex
FROM (
    SELECT q.id AS item_id, q.report_id,
           -- counts the report once, however many children it concerns
           NOT EXISTS (SELECT 1 FROM queue_items o
                       WHERE o.report_id = q.report_id AND o.id < q.id) AS first_of_report,
           -- counts the report once among the violence-flagged (the flag is the item's own)
           q.flag_violence AND NOT EXISTS (
               SELECT 1 FROM queue_items o
               WHERE o.report_id = q.report_id AND o.flag_violence AND o.id < q.id
           ) AS first_violent_of_report,
           q.child_id, q.received_at, q.flag_violence,
           q.protection_due, q.decision_due, q.decision_due_extended, q.outcome,
           (SELECT a.finished_at FROM assessments a
            WHERE a.item_id = q.id AND a.finished_at IS NOT NULL) AS assessed_at,
           -- the first signature; a correction signed later keeps it
           (SELECT min(d.signed_at) FROM decisions d
            WHERE d.status = 'signed' AND d.item_id = q.id) AS decided_at,
           ({received_day} - {birth_day}) / 10000 AS age,
           CASE WHEN c.personnummer IS NULL THEN 'unknown'
                WHEN substr(c.personnummer, 12, 1) IN ('1', '3', '5', '7', '9') THEN 'boy'
                ELSE 'girl' END AS sex
    FROM queue_items q JOIN children c ON c.id = q.child_id
    WHERE q.id IN ({ids})
) f;
"""

REPORT_CONCERNS = """
INSERT INTO stats_report_concerns (report_id, concern_code, received_at)
SELECT DISTINCT r.id, codes.value, r.received_at
FROM reports r, {elements}
WHERE r.id IN ({ids}) AND codes.value IS NOT NULL;
"""

# (summary, table, columns whose change matters, the summary ids a row of the table touches)
TRIGGERS = (
    ("items", "queue_items",
     "report_id, child_id, received_at, flag_violence, protection_due, decision_due, "
     "decision_due_extended, outcome",
     # the item and the other items of its report (which of them is the first may change)
     "SELECT {row}.id UNION SELECT o.id FROM queue_items o WHERE o.report_id = {row}.report_id"),
    ("items", "assessments", "item_id, finished_at", "{row}.item_id"),
    ("items", "decisions", "item_id, status, signed_at", "{row}.item_id"),
    ("items", "children", "personnummer, birth_date",
     "SELECT q.id FROM queue_items q WHERE q.child_id = {row}.id"),
    ("concerns", "reports", "received_at, concern_codes", "{row}.id"),
)


# Each value of a breakdown (outcome and violence flag, age, sex) over time.
BREAKDOWN_INDEXES = (("ix_stats_items_outcome", ["outcome", "flag_violence", "received_at"]),
                     ("ix_stats_items_age", ["age", "received_at"]),
                     ("ix_stats_items_sex", ["sex", "received_at"]))

# A report's channel and reporter category over time: reports per week of each value are
# counted in ranges of these, without sorting the period's reports.
REPORT_INDEXES = (("ix_reports_stats_channel", "channel"),
                  ("ix_reports_stats_reporter_category", "reporter_category"))


def summary_rows(dialect: str, summary: str, ids: str) -> str:
    """The INSERT of the summary rows of `ids`, selected from the base tables."""
    if summary == "items":
        return ITEM_FACTS.format(
            columns=ITEM_COLUMNS, ids=ids,
            days=DAYS[dialect].format(later="f.decided_at", earlier="f.received_at"),
            received_day=YYYYMMDD[dialect].format(value=UTC_DAY[dialect].format(value="q.received_at")),
            birth_day=YYYYMMDD[dialect].format(value="c.birth_date"))
    return REPORT_CONCERNS.format(ids=ids, elements=JSON_ELEMENTS[dialect])


def refresh(dialect: str, summary: str, ids: str) -> str:
    """The statements that make the summary rows of `ids` agree with the base tables."""
    table, key = ("stats_items", "item_id") if summary == "items" else ("stats_report_concerns", "report_id")
    return f"DELETE FROM {table} WHERE {key} IN ({ids});\n{summary_rows(dialect, summary, ids)}"


def _create_tables() -> None:
    utc = mottagning.models.UTCDateTime(timezone=True)
    op.create_table(
        "stats_items",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("first_of_report", sa.Boolean(), nullable=False),
        sa.Column("first_violent_of_report", sa.Boolean(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("received_at", utc, nullable=False),
        sa.Column("flag_violence", sa.Boolean(), nullable=False),
        sa.Column("protection_due", utc, nullable=False),
        sa.Column("decision_due", utc, nullable=False),
        sa.Column("decision_due_extended", utc, nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("assessed_at", utc, nullable=True),
        sa.Column("decided_at", utc, nullable=True),
        sa.Column("days_to_decision", sa.Float(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_stats_items")),
    )
    op.create_index("ix_stats_items_period", "stats_items", [
        "received_at", "item_id", "report_id", "first_of_report", "first_violent_of_report",
        "child_id", "flag_violence", "protection_due",
        "decision_due", "decision_due_extended", "outcome", "assessed_at", "decided_at",
        "days_to_decision", "age", "sex"])
    op.create_index("ix_stats_items_child", "stats_items", ["child_id", "received_at"])
    op.create_index("ix_stats_items_undecided", "stats_items", ["decided_at", "received_at"])
    op.create_index("ix_stats_items_days", "stats_items", ["days_to_decision", "received_at"])
    for name, columns in BREAKDOWN_INDEXES:
        op.create_index(name, "stats_items", columns)
    op.create_table(
        "stats_report_concerns",
        sa.Column("report_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("concern_code", sa.String(length=100), nullable=False),
        sa.Column("received_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("report_id", "concern_code", name=op.f("pk_stats_report_concerns")),
    )
    op.create_index("ix_stats_report_concerns_code", "stats_report_concerns",
                    ["concern_code", "received_at"])
    for name, column in REPORT_INDEXES:
        op.create_index(name, "reports", [column, "received_at"])


def _sqlite_triggers() -> list[str]:
    statements = []
    for summary, table, columns, ids in TRIGGERS:
        new, old = (refresh("sqlite", summary, ids.format(row="NEW")),
                    refresh("sqlite", summary, ids.format(row="OLD")))
        name = f"stats_{summary}_{table}"
        statements += [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {new} END",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {columns} ON {table} BEGIN {old} {new} END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {old} END",
        ]
    return statements


def _postgresql_triggers() -> list[str]:
    statements = []
    for summary, table, columns, ids in TRIGGERS:
        new, old = (refresh("postgresql", summary, ids.format(row="NEW")),
                    refresh("postgresql", summary, ids.format(row="OLD")))
        name = f"stats_{summary}_{table}"
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
            f"IF TG_OP <> 'INSERT' THEN {old} END IF;\n"
            f"IF TG_OP <> 'DELETE' THEN {new} END IF;\nRETURN NULL;\nEND\n$$",
            f"CREATE TRIGGER {name}_insert_delete AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return statements


# The items' covering period index of 0040: the figures read stats_items instead.
OLD_PERIOD_INDEX = ("ix_queue_items_stats_period", "queue_items",
                    ["received_at", "id", "report_id", "child_id", "flag_violence",
                     "protection_due", "decision_due", "decision_due_extended", "outcome"])


def upgrade() -> None:
    op.drop_index(OLD_PERIOD_INDEX[0], table_name=OLD_PERIOD_INDEX[1])
    _create_tables()
    dialect = op.get_bind().dialect.name
    # Existing data, by the same statements the triggers run.
    op.execute(summary_rows(dialect, "items", "SELECT id FROM queue_items"))
    op.execute(summary_rows(dialect, "concerns", "SELECT id FROM reports"))
    for statement in (_sqlite_triggers() if dialect == "sqlite" else _postgresql_triggers()):
        op.execute(statement)
    # The figures' plans depend on the new indexes' statistics (SQLite has none until asked).
    for table in ("stats_items", "stats_report_concerns", "reports"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for summary, table, _columns, _ids in TRIGGERS:
        name = f"stats_{summary}_{table}"
        if dialect == "sqlite":
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
        else:
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    for name, _column in REPORT_INDEXES:
        op.drop_index(name, table_name="reports")
    op.drop_index("ix_stats_report_concerns_code", table_name="stats_report_concerns")
    op.drop_table("stats_report_concerns")
    for name, _columns in BREAKDOWN_INDEXES:
        op.drop_index(name, table_name="stats_items")
    for index in ("ix_stats_items_days", "ix_stats_items_undecided", "ix_stats_items_child",
                  "ix_stats_items_period"):
        op.drop_index(index, table_name="stats_items")
    op.drop_table("stats_items")
    op.create_index(*OLD_PERIOD_INDEX, unique=False)
