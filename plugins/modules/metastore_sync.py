#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metastore_sync
short_description: Stream an Airflow metastore's changes from a PostgreSQL slot into the migrated target
version_added: "0.2.0"
description:
  - The online migration's catch-up and drain. M(airflow_ops.metastore.metastore_dump) with
    O(airflow_ops.metastore.metastore_dump#module:replication_slot) creates a logical replication slot
    (C(pgoutput)) and a publication, and dumps from the slot's snapshot while Airflow runs;
    M(airflow_ops.metastore.metastore_load) loads that dump into the target. This module then streams every
    change committed on the source since the slot's C(consistent_point) and applies it to the target.
  - The connection options (C(login_*), C(url), TLS) are the TARGET's (PostgreSQL or CockroachDB);
    O(source_url) is the source's. The source login needs C(REPLICATION) (or C(rds_replication)).
  - Changes are applied in batched target transactions, in the source's commit order, as
    C(INSERT ... ON CONFLICT (primary key) DO UPDATE), C(DELETE ... WHERE primary key), and C(TRUNCATE)
    (C(DELETE) on CockroachDB, where C(TRUNCATE) is not transactional). Serialization failures (40001) are
    retried.
  - Each target transaction also records, in C(<state_schema>.sync_state), the commit LSN of the last source
    transaction it holds, and in C(<state_schema>.sync_touched) the primary key of each row it wrote. A run
    killed at any moment (kill -9, a lost connection) resumes from there, and nothing is lost and nothing is
    applied twice. A lost target or replication connection is reconnected up to O(reconnect_attempts)
    times within a run; the slot survives either way.
  - The source is told (flush LSN) only what the target has committed, so it releases WAL as the target
    takes it in, and keeps the rest.
  - O(mode=catch_up) returns once the lag is at most O(max_lag_bytes) and O(max_lag_seconds), while
    Airflow keeps writing. O(mode=drain) is for the cutover, once every writer is stopped. It reads the
    source's current WAL position (C(pg_current_wal_lsn())), applies exactly the transactions committed up
    to it and returns when the stream's position passes it. It does not wait for the stream to go quiet;
    a non-transactional logical message (C(pg_logical_emit_message)) makes sure the source decodes past
    that position. O(mode=drop) is the abort entry point. It drops the slot (ending a session that still
    streams from it) and the publication, and leaves the target as it is. O(mode=status) only reports.
  - Every run reports every slot named C(airflow_ops_...) on the source and the WAL it keeps.
  - Progress (rows applied, rows/s, lag in bytes and seconds, position) goes to O(progress_log), a file an
    operator can C(tail -f), every O(progress_interval_seconds).
  - Every table must have a primary key on the target (the load's post-data creates them).
extends_documentation_fragment:
  - airflow_ops.metastore.connection
options:
  source_url:
    description:
      - libpq URL of the PostgreSQL source (the database the slot was created in). Never logged.
    type: str
    required: true
  mode:
    description:
      - V(catch_up) applies changes until the lag is below the thresholds (Airflow running).
      - V(drain) applies exactly up to the source's current WAL position (writers stopped).
      - V(verify) (after the drain) compares every row the sync wrote (C(sync_touched)) source against
        target by primary key, the row count of every table and every sequence, and fails naming each
        difference. It reads the source in one snapshot and the target in one.
      - V(sequences) (after the drain) sets each target sequence that is behind the source to the source's
        value with C(setval) (the stream carries no sequence changes), never one that is ahead. Reports the
        sequences it set.
      - V(drop) drops the slot and the publication (abort, or the end of a finished migration).
      - V(status) reports the slots, the source's position and the target's applied position, and changes
        nothing.
    type: str
    choices: [catch_up, drain, verify, sequences, drop, status]
    default: catch_up
  slot:
    description:
      - The replication slot (and publication) name given to
        O(airflow_ops.metastore.metastore_dump#module:replication_slot). It starts with C(airflow_ops_).
    type: str
    default: airflow_ops_sync
  start_lsn:
    description:
      - Where to start while the target has no sync state yet, the dump's C(consistent_point)
        (metastore_dump returns it, and writes it in the manifest as C(replication.consistent_point)).
      - Once the target holds a state for O(slot), the stream resumes after it and this is only checked (a
        state before it is left from an earlier sync and is refused).
    type: str
  batch_rows:
    description: Row changes per target transaction, at most (a source transaction is never split).
    type: int
    default: 2000
  batch_seconds:
    description: A batch that is not full is applied once its first transaction has waited this long.
    type: float
    default: 1.0
  max_lag_bytes:
    description: With O(mode=catch_up), return once the lag is at most this many bytes of WAL.
    type: int
    default: 1048576
  max_lag_seconds:
    description:
      - With O(mode=catch_up), return once the oldest change received but not yet applied is at most this
        old (by its commit time on the source).
    type: float
    default: 5.0
  timeout_seconds:
    description:
      - Fail when O(mode=catch_up) has not caught up, or O(mode=drain) has not reached its position, within
        this time. The state is kept, so running again resumes.
    type: float
    default: 3600.0
  state_schema:
    description: Schema on the target that holds C(sync_state) and C(sync_touched).
    type: str
    default: airflow_ops
  progress_log:
    description: File to append progress lines to (created C(0640) if missing). No secrets are written.
    type: path
  progress_interval_seconds:
    description: How often a progress line is written.
    type: float
    default: 5.0
  reconnect_attempts:
    description: How often one run reconnects a lost target or replication connection before it fails.
    type: int
    default: 5
  alembic_revision:
    description:
      - With O(mode=verify), the C(alembic_version) revision of the dump (metastore_dump returns it as
        C(alembic_revision)). A source whose revision differs now was upgraded during the sync, and the
        verification fails, so the cutover is refused.
    type: str
attributes:
  check_mode:
    support: full
    description:
      - Applies nothing and drops nothing; reports the slots, the source's position and the target's applied
        position (as O(mode=status)), and for O(mode=drop) whether something would be dropped.
  diff_mode:
    support: none
    description: Reports positions and counts, not a diff.
author:
  - airflow_ops.metastore contributors (@airflow-ops)
requirements:
  - psycopg2 2.8.3 or newer (LogicalReplicationConnection, cursor.wal_end)
  - a PostgreSQL 10+ source with wal_level=logical
"""

EXAMPLES = r"""
- name: Start the online migration from the slot's snapshot (Airflow keeps running)
  airflow_ops.metastore.metastore_dump:
    url: "{{ source_url }}"
    dump_dir: /var/backups/airflow-metastore
    replication_slot: airflow_ops_sync
  register: dump

- name: Catch up with Airflow running
  airflow_ops.metastore.metastore_sync:
    url: "{{ target_url }}"
    source_url: "{{ source_url }}"
    start_lsn: "{{ dump.consistent_point }}"
    progress_log: /var/log/airflow-ops/sync.log
    max_lag_bytes: 1048576
    max_lag_seconds: 5

- name: Drain to the source's current position once Airflow is stopped
  airflow_ops.metastore.metastore_sync:
    url: "{{ target_url }}"
    source_url: "{{ source_url }}"
    start_lsn: "{{ dump.consistent_point }}"
    mode: drain
    timeout_seconds: 120

- name: Drop the slot and the publication (after the switch, or to abort)
  airflow_ops.metastore.metastore_sync:
    url: "{{ target_url }}"
    source_url: "{{ source_url }}"
    mode: drop
"""

RETURN = r"""
mode:
  description: The mode that ran.
  returned: always
  type: str
  sample: catch_up
slot:
  description: The slot's name.
  returned: always
  type: str
  sample: airflow_ops_sync
slots:
  description:
    - Every replication slot named C(airflow_ops_...) on the source, with C(retained_wal_bytes), the WAL it
      keeps there (from its C(restart_lsn) to the current position). A slot nobody streams from keeps WAL
      until it is dropped.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "airflow_ops_sync", "database": "airflow", "active": false, "restart_lsn": "0/1A2B3C8",
            "confirmed_flush_lsn": "0/1A2B400", "retained_wal_bytes": 16384}]
applied_transactions:
  description: Source transactions this run applied to the target.
  returned: with mode catch_up, drain and status
  type: int
  sample: 1200
rows_applied:
  description: Row changes (inserts, updates, deletes) this run applied.
  returned: with mode catch_up, drain and status
  type: int
  sample: 5400
skipped_transactions:
  description: Transactions sent again that the target already held (after a kill or a lost connection).
  returned: with mode catch_up and drain
  type: int
  sample: 3
batches:
  description: Target transactions this run committed.
  returned: with mode catch_up and drain
  type: int
  sample: 40
rows_per_second:
  description: Row changes applied per second over the run.
  returned: with mode catch_up and drain
  type: float
  sample: 850.5
lag_bytes:
  description: WAL between the source's current position and what the target has confirmed, at the end.
  returned: with mode catch_up, drain and status
  type: int
  sample: 4096
lag_seconds:
  description: Age of the oldest change received but not yet applied, at the end (0 when none).
  returned: with mode catch_up and drain
  type: float
  sample: 0.0
applied_lsn:
  description: End LSN of the last source transaction the target holds (null before the first).
  returned: with mode catch_up, drain and status
  type: str
  sample: 0/1B00A28
confirmed_lsn:
  description: The position confirmed to the source (the source may release WAL before it).
  returned: with mode catch_up and drain
  type: str
  sample: 0/1B00A28
drain_lsn:
  description: The source's WAL position the drain applied up to.
  returned: with mode drain
  type: str
  sample: 0/1B00A00
reconnects:
  description: Lost connections this run reconnected, per side.
  returned: with mode catch_up and drain
  type: dict
  sample: {"source": 0, "target": 1}
elapsed_seconds:
  description: How long the run took.
  returned: with mode catch_up and drain
  type: float
  sample: 12.5
source_lsn:
  description: The source's current WAL position.
  returned: with mode status and in check mode
  type: str
  sample: 0/1B00A28
total_transactions:
  description: Source transactions the target holds from this slot over all runs.
  returned: with mode status and in check mode
  type: int
  sample: 52000
total_rows:
  description: Row changes the target holds from this slot over all runs.
  returned: with mode status and in check mode
  type: int
  sample: 210000
tables:
  description:
    - With O(mode=verify), per table the row counts on both sides (C(source_rows), C(target_rows)), the rows
      the sync touched (C(touched_rows)) and, when it touched any, how many of them are C(missing),
      C(mismatched) or C(extraneous) on the target.
  returned: with mode verify
  type: list
  elements: dict
  sample: [{"schema": "public", "name": "dag_run", "source_rows": 120, "target_rows": 120, "touched_rows": 14,
            "missing": 0, "mismatched": 0, "extraneous": 0}]
touched_rows:
  description: Rows the sync wrote, all compared by O(mode=verify).
  returned: with mode verify
  type: int
  sample: 5400
differences:
  description: Each difference O(mode=verify) found (it fails when there is one).
  returned: with mode verify
  type: list
  elements: str
  sample: []
sequences:
  description:
    - With O(mode=verify), every sequence's value on the source and the target.
    - With O(mode=sequences), the sequences whose value it set (C(before) is the target's value before).
  returned: with mode verify and sequences
  type: list
  elements: dict
  sample: [{"schema": "public", "name": "dag_run_id_seq", "value": 1210, "is_called": true, "before": 120}]
dropped:
  description: What O(mode=drop) dropped (C(slot NAME), C(publication NAME)).
  returned: with mode drop
  type: list
  elements: str
  sample: ["slot airflow_ops_sync", "publication airflow_ops_sync"]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    CONNECTION_MUTUALLY_EXCLUSIVE,
    DATABASE_ERRORS,
    HAS_PSYCOPG2,
    PSYCOPG2_IMPORT_ERROR,
    ConnectionFailure,
    connection_argument_spec,
    describe_database_error,
    scrub,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync.sync_apply import (
    MODES,
    SyncError,
    SyncOptions,
    drop_sync,
    run_sync,
    status,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync.sync_slot import (
    SlotError,
    check_name,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync.sync_verify import (
    CutoverMismatch,
    run_mode,
)

# The options' defaults are SyncOptions'.
DEFAULTS = SyncOptions()


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        source_url={"type": "str", "required": True, "no_log": True},
        mode={"type": "str", "choices": list(MODES), "default": DEFAULTS.mode},
        slot={"type": "str", "default": DEFAULTS.slot},
        start_lsn={"type": "str"},
        batch_rows={"type": "int", "default": DEFAULTS.batch_rows},
        batch_seconds={"type": "float", "default": DEFAULTS.batch_seconds},
        max_lag_bytes={"type": "int", "default": DEFAULTS.max_lag_bytes},
        max_lag_seconds={"type": "float", "default": DEFAULTS.max_lag_seconds},
        timeout_seconds={"type": "float", "default": DEFAULTS.timeout_seconds},
        state_schema={"type": "str", "default": DEFAULTS.state_schema},
        progress_log={"type": "path"},
        progress_interval_seconds={"type": "float", "default": DEFAULTS.progress_interval_seconds},
        reconnect_attempts={"type": "int", "default": DEFAULTS.reconnect_attempts},
        alembic_revision={"type": "str"},
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE,
        supports_check_mode=True,
    )
    if not HAS_PSYCOPG2:
        from ansible.module_utils.basic import missing_required_lib

        module.fail_json(msg=missing_required_lib("psycopg2"), exception=str(PSYCOPG2_IMPORT_ERROR))
    params = module.params
    source = {"url": params["source_url"], "connect_timeout": params["connect_timeout"]}
    options = SyncOptions.from_params(params, module.check_mode)
    try:
        check_name(options.slot)
        if options.mode == "drop":
            result = drop_sync(source, options)
        elif options.mode in ("verify", "sequences"):
            result = run_mode(source, params, options)
        elif options.mode == "status" or module.check_mode:
            result = status(source, params, options)
        else:
            result = run_sync(source, params, options)
    except CutoverMismatch as exc:
        module.fail_json(
            msg=scrub(scrub(f"metastore_sync verify failed: {exc}", params), source), **exc.result
        )
    except (SyncError, SlotError, ConnectionFailure, OSError) as exc:
        module.fail_json(msg=scrub(scrub(f"metastore_sync {options.mode} failed: {exc}", params), source))
    except DATABASE_ERRORS as exc:
        reason = describe_database_error(exc, None, params, doing=f"the sync ({options.mode})")
        module.fail_json(msg=scrub(f"metastore_sync {options.mode} failed: {reason}", source))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
