"""Method (c'): one migration step through the collection's module_utils functions, without Ansible.

Each step runs in its own process so the benchmark measures its wall time and peak RSS alone. The
functions are the ones the modules call (dumper.run_dump, sync_slot.dump_from_new_slot,
schema_rewrite.rewrite_schema, loader.Loader, verifier.verify_target, sync_apply.run_sync,
sync_verify.run_mode); nothing here re-implements them. Connection URLs come from
the environment (BENCH_SOURCE_URL, BENCH_TARGET_URL), never from argv. Prints one json object.

    python bench/direct.py dump --dump-dir DIR [--no-checksums] [--replication-slot NAME]
    python bench/direct.py rewrite --dump-dir DIR
    python bench/direct.py load --dump-dir DIR [--verify] [--batch-rows N] [--pause-at STEP:N --pause-file F]
    python bench/direct.py verify --dump-dir DIR
    python bench/direct.py verify-rows --dump-dir DIR [--batch-rows N]   (target against the live source)
    python bench/direct.py sync --dump-dir DIR --mode MODE --start-lsn LSN [...]   (metastore_sync's modes)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as python bench/<name>.py

from bench._collection import (
    connect,
    dumper,
    load_progress,
    loader,
    schema_rewrite,
    sync_apply,
    sync_slot,
    sync_verify,
    verifier,
)
from bench._collection import manifest as mf
from tests.support.paused_load import pause_at

PROGRESS_SCHEMA = load_progress.DEFAULT_SCHEMA
REWRITE_TARGET = "postgresql"


def rewritten_dir(dump_dir):
    return os.path.join(dump_dir, "rewritten", REWRITE_TARGET)


def step_dump(args):
    params = {"url": os.environ["BENCH_SOURCE_URL"]}
    conn = connect(params)
    options = dumper.DumpOptions(
        dump_dir=args.dump_dir, pg_dump_path=args.pg_dump, checksums=not args.no_checksums
    )
    admin = None
    try:
        if args.replication_slot:  # the online start: publication + slot, the dump from its snapshot
            admin = connect(params, autocommit=True)
            result = sync_slot.dump_from_new_slot(conn, params, options, args.replication_slot, admin)
        else:
            result = dumper.run_dump(conn, params, options)
    finally:
        conn.close()
        if admin is not None:
            admin.close()
    return {
        "changed": result["changed"],
        "tables": len(result["tables"]),
        "consistent_point": result.get("consistent_point"),
        "alembic_revision": result.get("alembic_revision"),
    }


def step_rewrite(args):
    src = os.path.join(args.dump_dir, "schema")
    pre = Path(src, "pre-data.sql").read_text(encoding="utf-8")
    post = Path(src, "post-data.sql").read_text(encoding="utf-8")
    pre_out, post_out, report, warnings = schema_rewrite.rewrite_schema(pre, post, target=REWRITE_TARGET)
    dest = rewritten_dir(args.dump_dir)
    os.makedirs(dest, exist_ok=True)
    Path(dest, "pre-data.sql").write_text(pre_out, encoding="utf-8")
    Path(dest, "post-data.sql").write_text(post_out, encoding="utf-8")
    return {"rules_applied": sorted(report), "warnings": warnings}


def step_load(args):
    manifest = mf.load(args.dump_dir)
    conn = connect({"url": os.environ["BENCH_TARGET_URL"]})
    options = loader.LoadOptions(batch_rows=args.batch_rows, verify=args.verify)
    try:
        load = loader.Loader(conn, args.dump_dir, manifest, rewritten_dir(args.dump_dir), options)
        if args.pause_at:
            load.checkpoint = pause_at(args.pause_at, args.pause_file)
        state = load.inspect()[0]
        report = load.run()
    finally:
        conn.close()
    return {
        "state": state,
        "tables": load.loaded_tables,
        "batches": load.batches,
        "resumed_from": load.resumed_from,
        "verified": report is not None,
    }


def step_verify(args):
    manifest = mf.load(args.dump_dir, check_files=False)
    conn = connect({"url": os.environ["BENCH_TARGET_URL"]})
    try:
        report = verifier.verify_target(conn, manifest["tables"], manifest["sequences"], [PROGRESS_SCHEMA])
    finally:
        conn.close()
    return {"differing_tables": report["differing_tables"], "sequences_behind": report["sequences_behind"]}


def step_verify_rows(args):
    """Row-level verification of the target against the live source (metastore_verify with source_url)."""
    source = connect({"url": os.environ["BENCH_SOURCE_URL"]})
    target = connect({"url": os.environ["BENCH_TARGET_URL"]})
    try:
        report = verifier.verify_rows_against_source(
            source,
            target,
            lambda cur: (dumper.describe_tables(cur, None, False), dumper.list_sequences(cur)),
            [PROGRESS_SCHEMA],
            verifier.RowOptions(batch_rows=min(args.batch_rows, 5000)),
        )
    finally:
        source.close()
        target.close()
    return {
        "differing_tables": report["differing_tables"],
        "sequences_behind": report["sequences_behind"],
        "row_differences": report["row_differences"],
    }


def step_sync(args):
    """One metastore_sync mode through the functions the module dispatches to (run_sync, run_mode).

    ``inner_s`` is the call alone, without this process's start and imports (which the wall time has).
    """
    source = {"url": os.environ["BENCH_SOURCE_URL"]}
    target = {"url": os.environ["BENCH_TARGET_URL"]}
    options = sync_apply.SyncOptions(
        mode=args.mode,
        start_lsn=args.start_lsn,
        max_lag_bytes=args.max_lag_bytes,
        max_lag_seconds=args.max_lag_seconds,
        alembic_revision=args.alembic_revision,
        progress_log=args.progress_log,
        progress_interval_seconds=1.0,
    )
    started = time.monotonic()
    failed = None
    try:
        if args.mode in ("verify", "sequences"):
            result = sync_verify.run_mode(source, target, options)
        else:
            result = sync_apply.run_sync(source, target, options)
    except sync_verify.CutoverMismatch as exc:
        result, failed = exc.result, str(exc)
    result["inner_s"] = round(time.monotonic() - started, 3)
    result["failed"] = failed
    return result


STEPS = {
    "dump": step_dump,
    "rewrite": step_rewrite,
    "load": step_load,
    "verify": step_verify,
    "verify-rows": step_verify_rows,
    "sync": step_sync,
}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--dump-dir", required=True)
    parser.add_argument("--pg-dump", default="pg_dump")
    parser.add_argument("--batch-rows", type=int, default=loader.LoadOptions().batch_rows)
    parser.add_argument("--verify", action="store_true", help="load: verify against the manifest afterwards")
    parser.add_argument(
        "--no-checksums", action="store_true", help="dump: row counts only, no content checksums"
    )
    parser.add_argument(
        "--pause-at", help="load: park after committing STEP:N (tests/support/paused_load.py)"
    )
    parser.add_argument("--pause-file", help="load: the file the parked load creates and waits on")
    parser.add_argument("--replication-slot", help="dump: create this slot and dump from its snapshot")
    defaults = sync_apply.SyncOptions()
    parser.add_argument("--mode", choices=sync_apply.MODES, default=defaults.mode, help="sync: the mode")
    parser.add_argument("--start-lsn", help="sync: the dump's consistent point")
    parser.add_argument("--max-lag-bytes", type=int, default=defaults.max_lag_bytes)
    parser.add_argument("--max-lag-seconds", type=float, default=defaults.max_lag_seconds)
    parser.add_argument("--alembic-revision", help="sync verify: the dump's revision")
    parser.add_argument("--progress-log", help="sync: progress lines go here")
    args = parser.parse_args(argv)
    result = STEPS[args.step](args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    if args.step in ("verify", "verify-rows") and (result["differing_tables"] or result["sequences_behind"]):
        return 1
    if args.step == "sync" and result["failed"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
