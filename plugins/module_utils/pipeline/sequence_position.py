# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a sequence stands, read the same way on PostgreSQL and CockroachDB.

Shared by the stages that read a live server's sequences: the cutover (sync_sequences, sync_verify) and
the copy back from CockroachDB (dump/schema_from). A position is the value the next ``nextval`` returns
(cockroachdb_rules.sequence_next_value), the one form that means the same on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.airflow_ops.metastore.plugins.module_utils import cockroachdb_rules

try:
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False


@dataclass(frozen=True)
class Position:
    """Where a sequence stands: its stored value, whether it was handed out, and its step."""

    last_value: int
    is_called: bool
    increment: int

    @property
    def next_value(self) -> int:
        return cockroachdb_rules.sequence_next_value(self.last_value, self.is_called, self.increment)


def positions(cur, names):
    """{(schema, name): Position} of the sequences in ``names`` that exist, on PostgreSQL or CockroachDB.

    information_schema.sequences (both engines) for the increment; ``SELECT last_value, is_called`` from
    the sequence itself (both engines; CockroachDB's is_called is not meaningful, see sequence_next_value).
    """
    cur.execute("SELECT sequence_schema, sequence_name, increment FROM information_schema.sequences")
    increments = {(schema, name): int(increment) for schema, name, increment in cur.fetchall()}
    found = {}
    for key in names:
        if key not in increments:
            continue
        cur.execute(sql.SQL("SELECT last_value, is_called FROM {}.{}").format(*map(sql.Identifier, key)))
        last_value, is_called = cur.fetchone()
        found[key] = Position(int(last_value), bool(is_called), increments[key])
    return found
