"""Benchmark the online migration (issue 12): copy while a writer changes the source, catch up, drain.

One run, per size (``--task-instances`` times each of ``--scales``, side by side; default 100k and 1M):

1. a throw-away source PostgreSQL 15 with ``wal_level=logical`` and a separate target PostgreSQL 15 (two
   servers, as a migration has; one server would stream the target's own load WAL through the slot), a
   source made by a real ``airflow db migrate`` and filled by bench/generate.py (run.py's prepare_source);
2. a writer process (tests/support/airflow_writer.py's Airflow write pattern, on three of the generated
   DAGs) starts at ``--writer-rate`` transactions/s and runs through the copy, the catch-up and
   ``--settle-seconds`` more (the playbook's tasks up to the stop), then is stopped ("stop the writers");
3. while it writes: dump from a new slot's snapshot, rewrite (target postgresql), load, verify the snapshot
   (bench/direct.py steps: the module_utils functions the modules call, one process each, as method c');
4. metastore_sync catch_up with the role's thresholds; its rate as a multiple of the writer's;
5. after the stop, the downtime's data-dependent part: drain (to the source's current LSN), sequences,
   verify (every table's count, every touched row by primary key, sequences), each a process, timed;
6. the WAL the slot keeps on the source (pg_current_wal_lsn() - restart_lsn), sampled every 0.5 s;
7. an independent full comparison of target and source (run.py's compare_with_source: count and content
   checksum of every table, sequences) once the source is quiet.

Results go to bench/results/online/<timestamp>.json; every target is printed as met or missed. Exit 0 when
every target equals its source, 1 when one differs, 2 when the benchmark could not run.

    python bench/online.py --task-instances 100000 --scales 1,10
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as python bench/<name>.py

import psycopg2

from bench import generate, run
from bench._collection import REPO_ROOT, connect, sync_apply, sync_slot, sync_verify, verifier
from tests.support import airflow_writer
from tests.support.postgres_server import remove_postgres, start_postgres

LOGICAL = {"wal_level": "logical", "max_replication_slots": "4", "max_wal_senders": "4"}
SLOT = sync_slot.DEFAULT_SLOT
WAL_SAMPLE_INTERVAL = 0.5
WINDOW_LIMIT_S = 5.0
GROWTH_LIMIT = 1.5
CATCH_UP_MULTIPLE = 10.0
WINDOW_SCALE = 1_000_000
# Below the role's 1 MiB, so the catch-up applies (and its rate is measured over) nearly all the backlog.
CATCH_UP_MAX_LAG_BYTES = 64 * 1024
WINDOW_MODES = ("drain", "sequences", "verify")  # the role's order (roles/migrate/tasks/drain.yml)


# ------------------------------------------------------------------ the writer (its own process)


class GeneratedSourceWriter(airflow_writer.AirflowWriter):
    """The tests' writer on a generated source: three of its DAGs instead of seeding new ones.

    AirflowWriter.seed() creates the golden schema's first rows (alembic_version, the dags-folder bundle),
    which a migrated, generated source already has. The writer picks its DAGs from the module's DAGS: this
    process sets it to the generated DAGs it writes to (the writer runs alone in this process).
    """

    def attach(self, dags=3):
        self.conn = psycopg2.connect(self.url)
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "SELECT DISTINCT ON (dag_id) dag_id, id::text FROM dag_version"
                " ORDER BY dag_id, version_number DESC LIMIT %s",
                (dags,),
            )
            self.versions = dict(cur.fetchall())
        if not self.versions:
            raise run.BenchError("the source holds no DAG versions for the writer (generate it first)")
        airflow_writer.DAGS = tuple(self.versions)


def writer_main(rate):
    """Write until SIGTERM; print the transactions written, the seconds and the errors as JSON."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    writer = GeneratedSourceWriter(os.environ["BENCH_SOURCE_URL"], rate=rate)
    writer.attach()
    started = time.monotonic()
    writer.start()
    while not stop.wait(0.5):
        pass
    errors = []
    try:
        transactions = writer.stop()
    except AssertionError as exc:
        transactions, errors = writer.transactions, [str(exc)]
    seconds = time.monotonic() - started
    json.dump({"transactions": transactions, "seconds": round(seconds, 3), "errors": errors}, sys.stdout)
    return 1 if errors else 0


class WriterProcess:
    def __init__(self, source_url, rate):
        env = dict(os.environ, BENCH_SOURCE_URL=source_url)
        argv = [sys.executable, __file__, "--writer", "--writer-rate", str(rate)]
        self.proc = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT
        )

    def stop(self):
        """Stop the writer; when this returns its last transaction has committed. Its report."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=120)
        try:
            report = json.loads(out)
        except ValueError as exc:
            raise run.BenchError(f"the writer failed (exit {self.proc.returncode}): {out}\n{err}") from exc
        if report["errors"]:
            raise run.BenchError(f"the writer failed: {report['errors'][0]}")
        return report


# ------------------------------------------------------------------ WAL kept by the slot


class WalSampler(threading.Thread):
    """Samples the WAL the slot keeps (sync_slot.our_slots: current LSN - restart_lsn); peak per phase."""

    def __init__(self, admin_url):
        super().__init__(name="wal-sampler", daemon=True)
        self.admin_url = admin_url
        self.phase = "copy"
        self.peaks = {}
        self.samples = 0
        self.halt = threading.Event()
        self.error = None

    def run(self):
        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        try:
            while not self.halt.is_set():
                with conn.cursor() as cur:
                    slot = sync_slot.find_slot(cur, SLOT)
                if slot is not None and slot.retained_wal_bytes is not None:
                    self.samples += 1
                    self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), slot.retained_wal_bytes)
                self.halt.wait(WAL_SAMPLE_INTERVAL)
        except psycopg2.Error as exc:
            self.error = str(exc)
        finally:
            conn.close()

    def report(self):
        self.halt.set()
        self.join(timeout=10)
        return {
            "peak_bytes": max(self.peaks.values(), default=None),
            "peak_bytes_by_phase": dict(self.peaks),
            "samples": self.samples,
            "interval_s": WAL_SAMPLE_INTERVAL,
            "error": self.error,
        }


# ------------------------------------------------------------------ one size


def step_record(result):
    """A step's wall time, peak RSS and its JSON output (direct.py prints one object)."""
    record = {k: result[k] for k in ("wall_s", "peak_rss_mb")}
    record["output"] = json.loads(result["stdout"])
    return record


def sync_step(source_bench, source, dump_dir, target_env, mode, dump, args):
    extra = ["--mode", mode, "--start-lsn", dump["consistent_point"], "--progress-log", args.progress_log]
    if mode == "verify":
        extra += ["--alembic-revision", dump["alembic_revision"]]
    if mode == "catch_up":
        extra += ["--max-lag-bytes", str(args.max_lag_bytes), "--max-lag-seconds", str(args.max_lag_seconds)]
    result = run.direct_step(source_bench, "sync", dump_dir, source=source, extra=extra, env_extra=target_env)
    if mode == "verify" and result["returncode"] == 1 and result["stdout"].strip():
        return step_record(result)  # differences found: recorded and reported, the comparison decides
    return step_record(run.checked(result, f"metastore_sync {mode}"))


def copy_snapshot(source_bench, source, dump_dir, target_env, batch_rows):
    """Dump from a new slot's snapshot, rewrite, load, verify against the dump: the steps, timed."""
    steps = {}
    dump_args = ["--replication-slot", SLOT]
    steps["dump"] = run.checked(
        run.direct_step(source_bench, "dump", dump_dir, source=source, extra=dump_args), "slot dump"
    )
    steps["rewrite"] = run.checked(run.direct_step(source_bench, "rewrite", dump_dir), "rewrite")
    load_args = ["--batch-rows", str(batch_rows)]
    steps["load"] = run.checked(
        run.direct_step(source_bench, "load", dump_dir, extra=load_args, env_extra=target_env), "load"
    )
    steps["verify"] = run.checked(
        run.direct_step(source_bench, "verify", dump_dir, env_extra=target_env), "snapshot verify"
    )
    return {name: step_record(result) for name, result in steps.items()}


def sync_totals(target_url):
    conn = psycopg2.connect(target_url)
    try:
        with conn.cursor() as cur:
            state = sync_apply.read_state(cur, sync_apply.SyncOptions().state_schema, SLOT)
        conn.rollback()
    finally:
        conn.close()
    return {"transactions": state.transactions, "changes": state.changes}


def catch_up_rates(catch_up, writer_tx_per_s, writer_rows_per_s):
    """The catch-up's applied transactions and rows per second (its own elapsed time) over the writer's."""
    output = catch_up["output"]
    elapsed = output["elapsed_seconds"] or None
    tx_per_s = output["applied_transactions"] / elapsed if elapsed else None
    rows_per_s = output["rows_applied"] / elapsed if elapsed else None
    return {
        "applied_transactions": output["applied_transactions"],
        "rows_applied": output["rows_applied"],
        "elapsed_s": output["elapsed_seconds"],
        "transactions_per_s": round(tx_per_s, 1) if tx_per_s else None,
        "rows_per_s": round(rows_per_s, 1) if rows_per_s else None,
        "multiple_of_writer_transactions": run.ratio(tx_per_s, writer_tx_per_s),
        "multiple_of_writer_rows": run.ratio(rows_per_s, writer_rows_per_s),
    }


def verify_breakdown(source_url, target_url):
    """Where the cutover verify's time goes, measured again after it (outside the window) with its parts.

    The same calls as sync_verify.verify_cutover, timed apart: every table's row count on both sides, and
    per table the touched keys typed (typed_keys) and compared by primary key (verify_rows_by_keys).
    """
    source, target = connect({"url": source_url}), connect({"url": target_url})
    schema = sync_apply.SyncOptions().state_schema
    try:
        with source.cursor() as scur, target.cursor() as tcur:
            tables = sync_verify.source_tables(scur)
            touched = sync_apply.touched_keys(tcur, schema, SLOT)
            started = time.monotonic()
            for table in tables:
                for cur in (scur, tcur):
                    sync_verify._count(cur, table["schema"], table["name"])
            counts_s = time.monotonic() - started
            by_table = {}
            for table in tables:
                texts = touched.get((table["schema"], table["name"]), [])
                if not texts:
                    continue
                started = time.monotonic()
                keys = sync_verify.typed_keys(scur, table, texts)
                typed_s = time.monotonic() - started
                verifier.verify_rows_by_keys(source, target, table, keys)
                by_table[table["name"]] = {
                    "touched_rows": len(texts),
                    "typed_keys_s": round(typed_s, 3),
                    "compare_s": round(time.monotonic() - started - typed_s, 3),
                }
    finally:
        source.close()
        target.close()
    return {
        "counts_both_sides_s": round(counts_s, 3),
        "touched_rows_s": round(sum(t["typed_keys_s"] + t["compare_s"] for t in by_table.values()), 3),
        "touched_by_table": dict(sorted(by_table.items(), key=lambda item: -item[1]["compare_s"])),
    }


def window_record(steps):
    return {
        "steps": steps,
        "total_s": round(sum(s["wall_s"] for s in steps.values()), 3),
        "inner_total_s": round(sum(s["output"]["inner_s"] for s in steps.values()), 3),
    }


def run_size(args, task_instances, workdir):
    shape = generate.shape_for(task_instances, args.dags)
    source_server = start_postgres(settings={"fsync": args.fsync, **LOGICAL})
    target_server = start_postgres(settings={"fsync": args.fsync})
    writer = None
    try:
        source_bench, target_bench = run.Bench(source_server, workdir), run.Bench(target_server, workdir)
        source, generated, generate_s = run.prepare_source(source_bench, shape)
        target = target_bench.create_database("bench_target")
        target_env = {"BENCH_TARGET_URL": target_bench.url(target)}
        dump_dir = source_bench.fresh_dir("online")
        args.progress_log = str(dump_dir.parent / f"{dump_dir.name}-sync.log")
        sampler = WalSampler(source_server.url)
        sampler.start()
        print(f"writer at {args.writer_rate} transactions/s; copy from the slot's snapshot ...", flush=True)
        writer = WriterProcess(source_bench.url(source), args.writer_rate)
        time.sleep(args.warmup_seconds)
        copy_started = time.monotonic()
        copy = copy_snapshot(source_bench, source, dump_dir, target_env, args.batch_rows)
        dump = copy["dump"]["output"]
        print("catch-up ...", flush=True)
        sampler.phase = "catch_up"
        catch_up = sync_step(source_bench, source, dump_dir, target_env, "catch_up", dump, args)
        sampler.phase = "settle"
        time.sleep(args.settle_seconds)
        written = writer.stop()
        writer = None
        stopped = time.monotonic()
        print("writers stopped: drain, sequences, verify ...", flush=True)
        sampler.phase = "window"
        window = window_record(
            {
                mode: sync_step(source_bench, source, dump_dir, target_env, mode, dump, args)
                for mode in WINDOW_MODES
            }
        )
        wal = sampler.report()
        totals = sync_totals(target_bench.url(target))
        window["verify_breakdown"] = verify_breakdown(source_bench.url(source), target_bench.url(target))
        if args.tamper_target:
            run.tamper(target_bench, target)
        print("independent comparison of the target with the source ...", flush=True)
        expected = run.measure_source(source_bench, source)
        equality = run.compare_with_source(target_bench, target, expected)
        with psycopg2.connect(source_bench.url(source)) as conn, conn.cursor() as cur:
            cur.execute("SHOW server_version")
            server_version = cur.fetchone()[0]
        conn.close()
    finally:
        if writer is not None:
            writer.proc.kill()
            writer.proc.communicate()
        remove_postgres(source_server)
        remove_postgres(target_server)
    writer_tx_per_s = written["transactions"] / written["seconds"]
    # Every change after the consistent point reached the target through the stream (sync_state counts
    # them in the transactions that applied them); the writer wrote them from about the dump's start.
    streamed_seconds = stopped - copy_started
    writer_rows_per_s = totals["changes"] / streamed_seconds if streamed_seconds > 0 else None
    return {
        "task_instances": shape.task_instances,
        "shape": {
            "dags": shape.dags,
            "runs_per_dag": shape.runs_per_dag,
            "tasks_per_dag": shape.tasks_per_dag,
        },
        "generated_rows": generated,
        "generate_s": generate_s,
        "source_tables": len(expected[0]),
        "source_rows": sum(t["row_count"] for t in expected[0]),
        "postgresql": server_version,
        "writer": {
            "rate_requested": args.writer_rate,
            "transactions": written["transactions"],
            "seconds": written["seconds"],
            "transactions_per_s": round(writer_tx_per_s, 1),
            "streamed_transactions": totals["transactions"],
            "streamed_changes": totals["changes"],
            "row_changes_per_s": round(writer_rows_per_s, 1) if writer_rows_per_s else None,
        },
        "copy": {"steps": copy, "wall_s": round(sum(s["wall_s"] for s in copy.values()), 3)},
        "catch_up": {
            "wall_s": catch_up["wall_s"],
            "lag_bytes_at_end": catch_up["output"]["lag_bytes"],
            "lag_seconds_at_end": catch_up["output"]["lag_seconds"],
            "thresholds": {"max_lag_bytes": args.max_lag_bytes, "max_lag_seconds": args.max_lag_seconds},
            **catch_up_rates(catch_up, writer_tx_per_s, writer_rows_per_s),
        },
        "settle_s": args.settle_seconds,
        "window": window,
        "wal_retained": wal,
        "equality": equality,
    }


# ------------------------------------------------------------------ targets and report


def evaluate_targets(sizes):
    """Issue 12's measured targets from the sizes' records (ordered by task instances)."""
    targets = []

    def add(name, value, met, note=""):
        targets.append({"target": name, "value": value, "status": "met" if met else "missed", "note": note})

    for size in sizes:
        label = f"{size['task_instances']:,d} TIs"
        catch_up = size["catch_up"]
        multiples = [catch_up["multiple_of_writer_transactions"], catch_up["multiple_of_writer_rows"]]
        add(
            f"[{label}] catch-up rate at least {CATCH_UP_MULTIPLE:g}x the writer's",
            f"{multiples[0]}x in transactions, {multiples[1]}x in row changes",
            all(m is not None and m >= CATCH_UP_MULTIPLE for m in multiples),
            f"{catch_up['applied_transactions']} transactions in {catch_up['elapsed_s']} s; a lower bound: "
            "the catch-up stops at its lag thresholds and its time includes connecting",
        )
        window = size["window"]
        parts = ", ".join(f"{m} {s['wall_s']} s" for m, s in window["steps"].items())
        note = f"{parts}; the calls alone {window['inner_total_s']} s"
        if size["task_instances"] < WINDOW_SCALE:
            note += f"; stated for {WINDOW_SCALE:,d} task instances"
        add(
            f"[{label}] drain + sequences + verify at most {WINDOW_LIMIT_S:g} s",
            f"{window['total_s']} s",
            window["total_s"] <= WINDOW_LIMIT_S,
            note,
        )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = run.ratio(large["window"]["total_s"], small["window"]["total_s"])
        add(
            f"drain + sequences + verify at {large['task_instances']:,d} at most {GROWTH_LIMIT:g}x "
            f"its {small['task_instances']:,d} figure",
            f"{growth}x ({large['window']['total_s']} s vs {small['window']['total_s']} s)",
            growth is not None and growth <= GROWTH_LIMIT,
        )
    for size in sizes:
        add(
            f"[{size['task_instances']:,d} TIs] target equals the source (independent full comparison)",
            "equal" if size["equality"]["equal"] else "DIFFERS",
            size["equality"]["equal"],
            size["equality"]["message"] if not size["equality"]["equal"] else "",
        )
    return targets


def print_report(result):
    for size in result["sizes"]:
        w, c = size["writer"], size["catch_up"]
        print(
            f"\n{size['task_instances']:,d} task instances = {size['source_rows']:,d} rows in "
            f"{size['source_tables']} tables; writer {w['transactions']} transactions in {w['seconds']} s "
            f"({w['transactions_per_s']}/s, {w['row_changes_per_s']} row changes/s)"
        )
        for name, step in size["copy"]["steps"].items():
            print(f"  copy   {name:10s} {step['wall_s']:8.2f} s  peak RSS {step['peak_rss_mb']} MB")
        print(
            f"  catch-up          {c['wall_s']:8.2f} s  {c['applied_transactions']} transactions, "
            f"{c['rows_applied']} rows in {c['elapsed_s']} s = {c['transactions_per_s']} tx/s, "
            f"{c['rows_per_s']} rows/s; lag at the end {c['lag_bytes_at_end']} bytes"
        )
        for name, step in size["window"]["steps"].items():
            out = step["output"]
            detail = ""
            if name == "drain":
                detail = f"{out['applied_transactions']} transactions, {out['rows_applied']} rows"
            elif name == "verify":
                detail = f"{out.get('touched_rows')} touched rows compared"
            elif name == "sequences":
                detail = f"{len(out.get('sequences', []))} sequences set"
            print(f"  window {name:10s} {step['wall_s']:8.2f} s  (call {out['inner_s']} s)  {detail}")
        breakdown = size["window"]["verify_breakdown"]
        slowest = ", ".join(
            f"{name} {t['touched_rows']} rows {round(t['typed_keys_s'] + t['compare_s'], 2)} s"
            for name, t in list(breakdown["touched_by_table"].items())[:3]
        )
        print(
            f"  verify again, by part: counts {breakdown['counts_both_sides_s']} s, touched rows "
            f"{breakdown['touched_rows_s']} s ({slowest})"
        )
        wal = size["wal_retained"]
        print(
            f"  WAL kept by the slot: peak {wal['peak_bytes']} bytes, by phase {wal['peak_bytes_by_phase']}"
        )
    print("\ntargets:")
    for t in result["targets"]:
        note = f"  ({t['note']})" if t["note"] else ""
        print(f"  [{t['status']:6s}] {t['target']}: {t['value']}{note}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--task-instances", type=int, default=generate.DEFAULT_TASK_INSTANCES)
    parser.add_argument(
        "--scales", default="1,10", help="comma-separated multiples of --task-instances, run side by side"
    )
    parser.add_argument("--dags", type=int, help="number of DAGs (default: one per 2,000 task instances)")
    parser.add_argument("--writer-rate", type=float, default=50.0, help="writer transactions per second")
    parser.add_argument("--warmup-seconds", type=float, default=1.0, help="writer running before the dump")
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=5.0,
        help="the writer goes on this long after the catch-up returns (the playbook's tasks up to the stop)",
    )
    parser.add_argument(
        "--max-lag-bytes",
        type=int,
        default=CATCH_UP_MAX_LAG_BYTES,
        help="the catch-up's threshold (the role's default is 1 MiB: at 100k the whole backlog is below it)",
    )
    parser.add_argument("--max-lag-seconds", type=float, default=sync_apply.SyncOptions().max_lag_seconds)
    parser.add_argument("--batch-rows", type=int, default=10000, help="the load's batch_rows")
    parser.add_argument("--fsync", choices=["on", "off"], default="on")
    parser.add_argument("--results-dir", default=str(run.BENCH_DIR / "results" / "online"))
    parser.add_argument(
        "--tamper-target",
        action="store_true",
        help="self-test: change one row in every target before the comparison; the run must exit 1",
    )
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)  # the writer process
    args = parser.parse_args(argv)
    args.scales = [float(s) for s in args.scales.split(",") if s.strip()]
    return args


def benchmark(args):
    load_before = os.getloadavg()
    workdir = tempfile.mkdtemp(prefix="airflow-ops-bench-online-")
    sizes = []
    try:
        for scale in sorted(args.scales):
            task_instances = int(args.task_instances * scale)
            print(f"\n=== {task_instances:,d} task instances ===", flush=True)
            sizes.append(run_size(args, task_instances, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),  # noqa: UP017
        "bench": "online",
        "host": run.host_info(
            load_before,
            fsync=args.fsync,
            servers="source (wal_level=logical) and target: two PostgreSQL servers on this machine",
        ),
        "settings": {
            "writer_rate": args.writer_rate,
            "settle_seconds": args.settle_seconds,
            "max_lag_bytes": args.max_lag_bytes,
            "max_lag_seconds": args.max_lag_seconds,
            "batch_rows": args.batch_rows,
        },
        "sizes": sizes,
        "targets": evaluate_targets(sizes),
        "tampered": args.tamper_target,
    }


def main(argv=None):
    args = parse_args(argv)
    if args.writer:
        return writer_main(args.writer_rate)
    try:
        result = benchmark(args)
    except (run.BenchError, generate.GeneratorError, RuntimeError, psycopg2.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_report(result)
    path = run.write_results(result, args.results_dir)
    print(f"\nresults: {path}")
    return 0 if all(size["equality"]["equal"] for size in result["sizes"]) else 1


if __name__ == "__main__":
    sys.exit(main())
