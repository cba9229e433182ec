# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover's sequences: move every target sequence up to the live source's position, never down.

The change stream carries no sequence changes, so after a sync the target's sequences hold the dump's
values while the source went on handing out ids. With the writers stopped, ``set_sequences`` reads the
source's positions in one snapshot and calls setval on each target sequence that is behind.

A position is the value the next ``nextval`` returns (cockroachdb_rules.sequence_next_value): comparing
(last_value, is_called) pairs would differ between engines for the same position. A target sequence is
never moved backwards: one that is ahead has handed out ids (a canary write, an earlier cutover attempt)
that may already be stored in the target's rows, and moving it back would hand them out again
(duplicate keys in the running Airflow). A sequence ahead leaves a gap of unused ids, which is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import run_transaction
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sequence_position import (
    positions,
)

try:
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False


@dataclass(frozen=True)
class SequenceOptions:
    """What metastore_sequences does (its options ``schemas`` and check mode)."""

    schemas: Tuple[str, ...] | None = None  # None: every user schema of the source
    check_mode: bool = False


class SequencesMissing(Exception):
    """Source sequences that the target does not have."""

    def __init__(self, names):
        super().__init__(
            f"the target has no sequence {', '.join(names)}: it was not loaded from this source's dump "
            "(load it with metastore_load from the sync's dump), or the source's schema changed since"
        )
        self.names = names


def behind(source, target):
    """Pure: True when ``target`` would hand out an id the source already handed out (or is about to)."""
    step = 1 if source.increment >= 0 else -1
    return (source.next_value - target.next_value) * step > 0


def plan(source_positions, target_positions):
    """Pure: one entry per source sequence, ``changed`` when the target is behind (and will be set)."""
    entries = []
    for (schema, name), wanted in sorted(source_positions.items()):
        have = target_positions[(schema, name)]
        entries.append(
            {
                "schema": schema,
                "name": name,
                "source_next_value": wanted.next_value,
                "before_next_value": have.next_value,
                "after_next_value": wanted.next_value if behind(wanted, have) else have.next_value,
                "last_value": wanted.last_value,
                "is_called": wanted.is_called,
                "changed": behind(wanted, have),
            }
        )
    return entries


def source_positions(source, schemas=None):
    """The source's sequence positions, read in one REPEATABLE READ snapshot."""
    with catalog.read_snapshot(source), source.cursor() as cur:
        names = [(s["schema"], s["name"]) for s in dumper.list_sequences(cur, schemas)]
        return positions(cur, names)


def set_sequences(source, target, options=None):
    """setval each target sequence that is behind the source; the plan (entries with ``changed``).

    Raises SequencesMissing when a source sequence does not exist on the target. In check mode nothing is
    written. The setval calls run in one target transaction (retried on 40001).
    """
    options = options or SequenceOptions()
    wanted = source_positions(source, list(options.schemas) if options.schemas else None)
    target.rollback()
    with target.cursor() as cur:
        have = positions(cur, list(wanted))
    target.rollback()
    missing = [f"{schema}.{name}" for schema, name in sorted(wanted) if (schema, name) not in have]
    if missing:
        raise SequencesMissing(missing)
    entries = plan(wanted, have)
    todo = [e for e in entries if e["changed"]]
    if options.check_mode or not todo:
        return entries

    def work(cur):
        for entry in todo:
            name = sql.Identifier(entry["schema"], entry["name"]).as_string(cur)
            cur.execute(
                "SELECT pg_catalog.setval(%s, %s, %s)", (name, entry["last_value"], entry["is_called"])
            )

    run_transaction(target, work)
    return entries


def diff(entries):
    """Ansible's diff: the next value of every sequence before and after, one line each."""

    def lines(field):
        return "".join(f"{e['schema']}.{e['name']}: next value {e[field]}\n" for e in entries)

    return {"before": lines("before_next_value"), "after": lines("after_next_value")}
