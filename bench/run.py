"""Benchmark the metadata DB migration against the seed's method and pg_dump's raw COPY limit.

One run: a throw-away PostgreSQL server, a source database made by a real ``airflow db migrate``
and filled by bench/generate.py, then each method into a fresh, empty target database:

  a        seed's method: pg_dump --schema-only | psql, then pg_dump --data-only --inserts | psql
  b        raw limit: pg_dump (plain format, COPY) | psql
  c        ansible-playbook bench/playbooks/migrate.yml: metastore_dump, _rewrite, _load, _verify
  c-nv     the same without the verify task and without the dump's content checksums (only
           verification needs them; the load still checks row counts and file sha256s)
  c'       the same steps through the module_utils functions (bench/direct.py), no Ansible
  c'-nv    c' without the verify step and the dump's checksums
  c'-rows  c'-nv, then row-level verification against the live source (metastore_verify's source_url
           mode: both sides walked in primary-key order, rows named by key)
  d        peer: pg_dump -Fd -j N (directory format, N parallel jobs) + pg_restore -j N
  e        peer: pgcopydb clone (Debian package), N table jobs and N index jobs

Every target is then compared with the source, table by table (row count and content checksum,
sequences); any difference makes the run exit 1. The resume check kills a load (kill -9) once half
the rows are committed and checks the next load does not redo finished tables. Wall time, rows/s
and the peak RSS of the method's process tree (sampled from /proc every 50 ms; the server's own
backends are not counted) are printed and written to bench/results/<timestamp>.json (names sort by time).

    python bench/run.py --task-instances 100000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as python bench/<name>.py

import psycopg2

from bench import generate
from bench._collection import COLLECTIONS_ROOT, REPO_ROOT, dumper, load_progress, manifest, verifier
from tests.support.airflow_env import DEFAULT_VERSION, migrate_airflow_db
from tests.support.postgres_server import remove_postgres, start_postgres

BENCH_DIR = REPO_ROOT / "bench"
SAMPLE_INTERVAL = 0.05
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
ALL_METHODS = ["a", "b", "c", "c-nv", "c'", "c'-nv", "c'-rows", "d", "e"]
LOAD_RSS_LIMIT_MB = 200
LOAD_RSS_SCALE = 1_000_000


class BenchError(Exception):
    """The benchmark could not run a method; the message says which and why."""


# ------------------------------------------------------------------ process tree sampling


def _children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _descendants(root):
    children, pids, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def _rss_kb(pid):
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def label_process(cmdline):
    """What a process in a method's tree is, for per-part peak RSS (the module's process above all)."""
    for marker, label in (
        ("AnsiballZ_metastore_load", "metastore_load module"),
        ("AnsiballZ_metastore_dump", "metastore_dump module"),
        ("AnsiballZ_metastore_verify", "metastore_verify module"),
        ("AnsiballZ_metastore_rewrite", "metastore_rewrite module"),
        ("ansible-playbook", "ansible-playbook"),
        ("direct.py", "python step"),
        ("pgcopydb", "pgcopydb"),
        ("pg_restore", "pg_restore"),
        ("pg_dump", "pg_dump"),
        ("psql", "psql"),
    ):
        if marker in cmdline:
            return label
    return "other"


def run_measured(argv, env=None, on_sample=None):
    """Run ``argv``; return wall time, exit code, output and peak RSS (MB) of its tree, total and per label.

    ``on_sample(proc)`` is called at every sample (the resume check kills the load from there).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        result = _run_sampled(argv, env, on_sample, out, err)
    return result


def _run_sampled(argv, env, on_sample, out, err):
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err, cwd=REPO_ROOT)
    peak_total, peak_by_label, labels = 0, {}, {}
    while proc.poll() is None:
        total, by_label = 0, {}
        for pid in _descendants(proc.pid):
            rss = _rss_kb(pid)
            label = labels.setdefault(pid, label_process(_cmdline(pid)))
            total += rss
            by_label[label] = by_label.get(label, 0) + rss
        peak_total = max(peak_total, total)
        for label, rss in by_label.items():
            peak_by_label[label] = max(peak_by_label.get(label, 0), rss)
        if on_sample is not None:
            on_sample(proc)
        time.sleep(SAMPLE_INTERVAL)
    wall = time.monotonic() - started
    out.seek(0)
    err.seek(0)
    return {
        "argv0": Path(argv[0]).name,
        "wall_s": round(wall, 3),
        "returncode": proc.returncode,
        "peak_rss_mb": round(peak_total / 1024, 1),
        "peak_rss_mb_by_part": {k: round(v / 1024, 1) for k, v in sorted(peak_by_label.items())},
        "stdout": out.read().decode("utf-8", "replace"),
        "stderr": err.read().decode("utf-8", "replace"),
    }


def checked(result, what):
    if result["returncode"] != 0:
        output = f"{result['stdout'][-3000:]}\n{result['stderr'][-3000:]}"
        raise BenchError(f"{what} failed (exit {result['returncode']}):\n{output}")
    return result


# ------------------------------------------------------------------ the bench environment


class Bench:
    """The server, the source database and a fresh target database per method."""

    def __init__(self, server, workdir):
        self.server = server
        self.workdir = Path(workdir)
        self.pg_dump = str(server.bindir / "pg_dump")
        self.psql = str(server.bindir / "psql")

    def admin(self):
        conn = psycopg2.connect(self.server.url)
        conn.autocommit = True
        return conn

    def _run_as_admin(self, statement):
        conn = self.admin()
        with conn.cursor() as cur:
            cur.execute(statement)
        conn.close()

    def create_database(self, name):
        self._run_as_admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name):
        self._run_as_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url(self, db):
        return self.server.url_for(db)

    def libpq_env(self):
        """Client programs connect through PG* variables: the password never reaches argv."""
        env = dict(os.environ)
        env.update(
            PGHOST=self.server.host,
            PGPORT=str(self.server.port),
            PGUSER=self.server.superuser,
            PGPASSWORD=self.server.password,
        )
        return env

    def fresh_target(self, label):
        return self.create_database(
            f"bench_tgt_{label.replace(chr(39), 'p').replace('-', '_')}_{uuid.uuid4().hex[:6]}"
        )

    def fresh_dir(self, label):
        return Path(tempfile.mkdtemp(prefix=f"dump-{label.replace(chr(39), 'p')}-", dir=self.workdir))


def shell_pipeline(*stages):
    """``stage | stage`` under bash with pipefail, so a failing pg_dump fails the method."""
    return ["bash", "-o", "pipefail", "-c", " | ".join(stages)]


def method_seed(bench, source, target):
    psql = f"{bench.psql} -X -q -v ON_ERROR_STOP=1 -d {target}"
    schema = run_measured(
        shell_pipeline(f"{bench.pg_dump} --schema-only -d {source}", f"{psql} >/dev/null"),
        bench.libpq_env(),
    )
    checked(schema, "seed method, schema")
    data = run_measured(
        shell_pipeline(f"{bench.pg_dump} --data-only --inserts -d {source}", f"{psql} >/dev/null"),
        bench.libpq_env(),
    )
    checked(data, "seed method, data")
    return combine({"schema": schema, "data": data})


def method_raw_copy(bench, source, target):
    psql = f"{bench.psql} -X -q -v ON_ERROR_STOP=1 -d {target}"
    result = run_measured(
        shell_pipeline(f"{bench.pg_dump} -d {source}", f"{psql} >/dev/null"), bench.libpq_env()
    )
    return combine({"pg_dump|psql": checked(result, "raw COPY method")})


def method_pg_dump_directory(bench, source, target, jobs):
    """Peer: pg_dump's directory format with N parallel jobs, restored with N parallel jobs."""
    dump_dir = bench.fresh_dir("pgdump-fd") / "dump"
    pg_restore = str(bench.server.bindir / "pg_restore")
    try:
        dump = run_measured(
            [bench.pg_dump, "-Fd", "-j", str(jobs), "-f", str(dump_dir), "-d", source], bench.libpq_env()
        )
        checked(dump, "pg_dump -Fd")
        restore = run_measured(
            [pg_restore, "-j", str(jobs), "--exit-on-error", "-d", target, str(dump_dir)], bench.libpq_env()
        )
        checked(restore, "pg_restore")
    finally:
        shutil.rmtree(dump_dir.parent, ignore_errors=True)
    return combine({"pg_dump -Fd": dump, "pg_restore": restore})


def method_pgcopydb(bench, source, target, jobs):
    """Peer: pgcopydb clone. Connection URLs without the password go in its environment variables, the
    password in PGPASSWORD (never in argv); the server's own pg_dump/pg_restore come first on PATH."""
    pgcopydb = shutil.which("pgcopydb")
    if pgcopydb is None:
        raise BenchError(
            "pgcopydb is not installed: run scripts/install-host-deps.sh (Debian package pgcopydb)"
        )
    work = bench.fresh_dir("pgcopydb")
    env = bench.libpq_env()
    server = bench.server
    base = f"postgresql://{server.superuser}@{server.host}:{server.port}"
    env.update(
        PGCOPYDB_SOURCE_PGURI=f"{base}/{source}",
        PGCOPYDB_TARGET_PGURI=f"{base}/{target}",
        PATH=f"{server.bindir}{os.pathsep}{env.get('PATH', '')}",
    )
    argv = [
        pgcopydb,
        "clone",
        "--dir",
        str(work / "work"),
        "--table-jobs",
        str(jobs),
        "--index-jobs",
        str(jobs),
    ]
    try:
        result = checked(run_measured(argv, env), "pgcopydb clone")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return combine({"pgcopydb clone": result})


def method_direct_rows(bench, source, target, batch_rows):
    """c'-nv, then the row-level verification against the live source (direct.py verify-rows)."""
    dump_dir = bench.fresh_dir("direct-rows")
    steps = {}
    try:
        steps["dump"] = checked(
            direct_step(bench, "dump", dump_dir, source=source, extra=["--no-checksums"]), "direct dump"
        )
        steps["rewrite"] = checked(direct_step(bench, "rewrite", dump_dir), "direct rewrite")
        load_args = ["--batch-rows", str(batch_rows)]
        steps["load"] = checked(
            direct_step(bench, "load", dump_dir, target=target, extra=load_args), "direct load"
        )
        steps["verify-rows"] = checked(
            direct_step(bench, "verify-rows", dump_dir, source=source, target=target), "direct verify-rows"
        )
    finally:
        shutil.rmtree(dump_dir, ignore_errors=True)
    record = combine(steps)
    record["row_verification"] = json.loads(steps["verify-rows"]["stdout"])
    return record


def ansible_env():
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_PIPELINING="False",
    )
    return env


def method_ansible(bench, source, target, verify, batch_rows):
    dump_dir = bench.fresh_dir("ansible")
    extra = dump_dir.parent / f"{dump_dir.name}.vars.json"
    with open(os.open(extra, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
        json.dump(
            {
                "bench_source_url": bench.url(source),
                "bench_target_url": bench.url(target),
                "bench_dump_dir": str(dump_dir),
                "bench_pg_dump": bench.pg_dump,
                "bench_verify": verify,
                "bench_batch_rows": batch_rows,
            },
            handle,
        )
    playbook = Path(sys.executable).parent / "ansible-playbook"
    argv = [
        str(playbook),
        "-i",
        "localhost,",
        "-e",
        f"@{extra}",
        str(BENCH_DIR / "playbooks" / "migrate.yml"),
    ]
    try:
        result = checked(run_measured(argv, ansible_env()), "ansible-playbook")
    finally:
        extra.unlink()
        shutil.rmtree(dump_dir, ignore_errors=True)
    record = combine({"ansible-playbook": result})
    record["task_seconds"] = ansible_task_durations(result["stdout"])
    return record


def ansible_task_durations(stdout):
    """Seconds per task from the ansible.posix.json callback's output."""
    try:
        report = json.loads(stdout[stdout.index("{") :])
    except ValueError:
        return {}
    durations = {}
    for play in report.get("plays", []):
        for task in play.get("tasks", []):
            info = task["task"].get("duration", {})
            if info.get("start") and info.get("end"):
                start = datetime.datetime.fromisoformat(info["start"].replace("Z", "+00:00"))
                end = datetime.datetime.fromisoformat(info["end"].replace("Z", "+00:00"))
                durations[task["task"]["name"]] = round((end - start).total_seconds(), 3)
    return durations


def direct_step(bench, step, dump_dir, source=None, target=None, extra=(), on_sample=None, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    if source:
        env["BENCH_SOURCE_URL"] = bench.url(source)
    if target:
        env["BENCH_TARGET_URL"] = bench.url(target)
    argv = [
        sys.executable,
        str(BENCH_DIR / "direct.py"),
        step,
        "--dump-dir",
        str(dump_dir),
        "--pg-dump",
        bench.pg_dump,
    ]
    return run_measured([*argv, *extra], env, on_sample=on_sample)


def method_direct(bench, source, target, verify, batch_rows):
    dump_dir = bench.fresh_dir("direct")
    steps = {}
    try:
        dump_args = [] if verify else ["--no-checksums"]
        steps["dump"] = checked(
            direct_step(bench, "dump", dump_dir, source=source, extra=dump_args), "direct dump"
        )
        steps["rewrite"] = checked(direct_step(bench, "rewrite", dump_dir), "direct rewrite")
        load_args = ["--batch-rows", str(batch_rows)]
        steps["load"] = checked(
            direct_step(bench, "load", dump_dir, target=target, extra=load_args), "direct load"
        )
        if verify:
            steps["verify"] = checked(direct_step(bench, "verify", dump_dir, target=target), "direct verify")
    finally:
        shutil.rmtree(dump_dir, ignore_errors=True)
    return combine(steps)


def combine(steps):
    """A method's record from its sequential steps: summed wall time, the highest peak RSS."""
    return {
        "wall_s": round(sum(s["wall_s"] for s in steps.values()), 3),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in steps.values()),
        "steps": {
            name: {k: s[k] for k in ("wall_s", "peak_rss_mb", "peak_rss_mb_by_part")}
            for name, s in steps.items()
        },
    }


# ------------------------------------------------------------------ equality with the source


def measure_source(bench, source):
    conn = psycopg2.connect(bench.url(source))
    try:
        tables, sequences = dumper.measure_source(conn)
    finally:
        conn.close()
    return tables, sequences


def compare_with_source(bench, target, expected):
    """The verifier's comparison of the target with the source's measured tables and sequences."""
    tables, sequences = expected
    conn = psycopg2.connect(bench.url(target))
    try:
        report = verifier.verify_target(conn, tables, sequences, [load_progress.DEFAULT_SCHEMA])
    finally:
        conn.close()
    return {
        "equal": not report["differing_tables"] and not report["sequences_behind"],
        "differing_tables": report["differing_tables"],
        "sequences_behind": report["sequences_behind"],
        "message": verifier.failure_message(report),
    }


def tamper(bench, target):
    """Self-test of the comparison: change one task instance on the target (--tamper-target)."""
    conn = psycopg2.connect(bench.url(target))
    with conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE task_instance SET hostname = 'tampered'"
            " WHERE id = (SELECT id FROM task_instance ORDER BY id LIMIT 1)"
        )
    conn.close()


# ------------------------------------------------------------------ resume check


def data_progress(bench, target):
    """{table: progress row} of the data steps in the target's load_progress (the loader's own reader)."""
    conn = psycopg2.connect(bench.url(target))
    try:
        with conn, conn.cursor() as cur:
            steps = load_progress.read(cur)
    finally:
        conn.close()
    return {step[len("data:") :]: row for step, row in steps.items() if step.startswith("data:")}


def half_way_pause_point(dump_dir, batch_rows):
    """The loader's (step, batch) after which about half of all rows are committed, in its own table order."""
    tables = manifest.read(dump_dir)["tables"]
    half, seen = sum(t["row_count"] for t in tables) / 2, 0
    for table in tables:
        if table["row_count"] and seen + table["row_count"] >= half:
            batch = max(1, -(-int(half - seen) // batch_rows))
            return load_progress.data_step(table["schema"], table["name"]), batch
        seen += table["row_count"]
    raise RuntimeError(f"no rows to load in {dump_dir}")


def resume_check(bench, source, expected, batch_rows):
    """Kill a load (SIGKILL) once half the rows are committed; the next load must skip finished tables."""
    total_rows = sum(t["row_count"] for t in expected[0])
    target = bench.fresh_target("resume")
    dump_dir = bench.fresh_dir("resume")
    killed = []
    # The load parks right after committing the half-way batch (direct.py --pause-at); killing it there makes
    # the check deterministic on any machine (sampling progress alone raced a fast, small load).
    pause_file = Path(bench.fresh_dir("resume-pause")) / "paused"

    def kill_at_half(proc):
        if killed or not pause_file.exists():
            return
        os.kill(proc.pid, signal.SIGKILL)
        killed.append(proc.pid)
        pause_file.unlink()

    try:
        checked(direct_step(bench, "dump", dump_dir, source=source), "resume check dump")
        checked(direct_step(bench, "rewrite", dump_dir), "resume check rewrite")
        step, batch = half_way_pause_point(dump_dir, batch_rows)
        first = direct_step(
            bench,
            "load",
            dump_dir,
            target=target,
            extra=[
                "--batch-rows",
                str(batch_rows),
                "--pause-at",
                f"{step}:{batch}",
                "--pause-file",
                str(pause_file),
            ],
            on_sample=kill_at_half,
        )
        if not killed:
            return {
                "exercised": False,
                "met": False,
                "why": "the load finished without reaching its half-way pause point",
            }
        before = data_progress(bench, target)
        done_before = sorted(t for t, row in before.items() if row["status"] == load_progress.DONE)
        committed = sum(row["position"] for row in before.values())
        second = checked(
            direct_step(
                bench, "load", dump_dir, target=target, extra=["--batch-rows", str(batch_rows), "--verify"]
            ),
            "resumed load",
        )
        resumed = json.loads(second["stdout"])
        redone = [
            f"{t['schema']}.{t['name']}"
            for t in resumed["tables"]
            if f"{t['schema']}.{t['name']}" in done_before and t["rows_loaded_this_run"]
        ]
        loaded_again = sum(t["rows_loaded_this_run"] for t in resumed["tables"])
        equality = compare_with_source(bench, target, expected)
        met = not redone and loaded_again == total_rows - committed and equality["equal"]
        return {
            "exercised": True,
            "met": met,
            "killed_after_rows": committed,
            "killed_after_fraction": round(committed / total_rows, 3),
            "first_run_exit": first["returncode"],
            "tables_done_before_kill": done_before,
            "tables_redone": redone,
            "rows_loaded_by_resumed_run": loaded_again,
            "rows_left_at_kill": total_rows - committed,
            "resumed_from": resumed["resumed_from"],
            "resumed_load_wall_s": second["wall_s"],
            "target_equal_after_resume": equality["equal"],
        }
    finally:
        shutil.rmtree(dump_dir, ignore_errors=True)
        bench.drop_database(target)


# ------------------------------------------------------------------ targets and report


def ratio(numerator, denominator):
    return round(numerator / denominator, 3) if numerator and denominator else None


def time_breakdown(methods, verified=True):
    """Where (c)'s time goes (c-nv's with ``verified=False``), from the measured steps."""
    direct, playbook = ("c'", "c") if verified else ("c'-nv", "c-nv")
    steps = methods.get(direct, {}).get("steps")
    tasks = methods.get(playbook, {}).get("task_seconds", {})
    if steps:
        dump, load, verify = (steps.get(k, {}).get("wall_s") for k in ("dump", "load", "verify"))
    elif tasks:
        dump, load, verify = (
            tasks.get(k) for k in ("Dump the source", "Load the target", "Verify the target against the dump")
        )
    else:
        return ""
    parts = [f"load step alone {load} s"]
    if methods.get("b") and load:
        parts[0] += f" = {ratio(load, methods['b']['wall_s'])}x (b)"
    parts.append(f"dump {dump} s")
    if verified and verify:
        parts.append(f"verify {verify} s")
    if playbook in methods and direct in methods:
        overhead = methods[playbook]["wall_s"] - methods[direct]["wall_s"]
        parts.append(f"Ansible adds {round(overhead, 1)} s")
    if verified:
        cause = "dump and verify each checksum every row in Python (row_checksum.py); "
        cause += "pg_dump | psql checks nothing"
    else:
        cause = (
            "dump and load run one after the other through files on disk (what makes the load resumable and "
            "re-checkable), while pg_dump | psql runs both ends at once"
        )
    return ", ".join(parts) + ": " + cause


ROWS, NO_VERIFY = "c'-rows", "c'-nv"


def add_issue14_targets(methods, add, task_instances):
    """Issue 14's targets: row-level verification at the speed of the copy, ahead of the peers."""

    def wall(name):
        return methods.get(name, {}).get("wall_s")

    rows = methods.get("c'-rows")
    if rows and wall("b"):
        steps = ", ".join(f"{k} {v['wall_s']} s" for k, v in rows["steps"].items())
        add(
            "(c'-rows) dump + rewrite + load + row-level verification within 1.5x of (b)",
            f"{ratio(wall(ROWS), wall('b'))}x",
            wall("c'-rows") <= 1.5 * wall("b"),
            steps,
        )
    if rows and wall("e"):
        add(
            "(c'-rows) faster than pgcopydb clone (e) without any verification",
            f"{wall(ROWS)} s vs {wall('e')} s",
            wall("c'-rows") < wall("e"),
        )
    if wall("c'-nv") and wall("b"):
        add(
            "(c'-nv) without verification within 1.1x of (b)",
            f"{ratio(wall(NO_VERIFY), wall('b'))}x",
            wall("c'-nv") <= 1.1 * wall("b"),
            time_breakdown(methods, verified=False),
        )
    if rows:
        peak = max(s["peak_rss_mb"] for s in rows["steps"].values())
        note = (
            ""
            if task_instances >= LOAD_RSS_SCALE
            else f"stated for 1M task instances; run had {task_instances:,d}"
        )
        add(
            f"(c'-rows) every step's peak RSS under {LOAD_RSS_LIMIT_MB} MB",
            f"{peak} MB",
            peak < LOAD_RSS_LIMIT_MB,
            note,
        )


def evaluate_targets(methods, resume, task_instances):
    def wall(name):
        return methods.get(name, {}).get("wall_s")

    targets = []

    def add(name, value, met, note=""):
        targets.append({"target": name, "value": value, "status": "met" if met else "missed", "note": note})

    why = time_breakdown(methods)
    if wall("a") and wall("c"):
        speedup = ratio(wall("a"), wall("c"))
        scale = (
            ""
            if task_instances >= 100_000
            else f"stated for >= 100k task instances, run had {task_instances}; "
        )
        add("(c) at least 10x faster than (a)", f"{speedup}x", speedup >= 10, scale + why)
    if wall("b") and wall("c"):
        met = wall("c") <= 1.5 * wall("b")
        add(
            "(c) with verification within 1.5x of (b)",
            f"{ratio(wall('c'), wall('b'))}x",
            met,
            "" if met else why,
        )
    if wall("b") and wall("c-nv"):
        met = wall("c-nv") <= 1.2 * wall("b")
        note = "dump with checksums=false (row counts from the COPY stream), load checks counts and sha256s"
        add(
            "(c) without verification within 1.2x of (b)",
            f"{ratio(wall('c-nv'), wall('b'))}x",
            met,
            note if met else f"{note}; {time_breakdown(methods, verified=False)}",
        )
    add_issue14_targets(methods, add, task_instances)
    load_rss = [
        m["steps"][step]["peak_rss_mb_by_part"].get(part)
        for name, step, part in (
            ("c'", "load", "python step"),
            ("c'-nv", "load", "python step"),
            ("c", "ansible-playbook", "metastore_load module"),
            ("c-nv", "ansible-playbook", "metastore_load module"),
        )
        if name in methods
        for m in [methods[name]]
    ]
    load_rss = [v for v in load_rss if v is not None]
    if load_rss:
        peak = max(load_rss)
        note = (
            ""
            if task_instances >= LOAD_RSS_SCALE
            else (
                f"target is stated for 1M task instances; this run had {task_instances:,d} (run --scale 10)"
            )
        )
        add(f"load step peak RSS under {LOAD_RSS_LIMIT_MB} MB", f"{peak} MB", peak < LOAD_RSS_LIMIT_MB, note)
    if resume is not None:
        add(
            "resumed load after a kill at ~50% does not redo finished tables",
            "exercised" if resume.get("exercised") else "not exercised",
            resume["met"],
            resume.get("why", ""),
        )
    return targets


def print_report(result):
    rows = result["source_rows"]
    task_instances = result["shape"]["task_instances"]
    print(f"\nsource: {task_instances:,d} task instances, {rows:,d} rows in {result['source_tables']} tables")
    print(f"{'method':8s} {'wall s':>9s} {'rows/s':>10s} {'peak RSS MB':>12s}  equal  description")
    for name, m in result["methods"].items():
        print(
            f"{name:8s} {m['wall_s']:9.2f} {m['rows_per_s']:10,.0f} {m['peak_rss_mb']:12.1f}  "
            f"{'yes' if m['equality']['equal'] else 'NO ':5s}  {m['description']}"
        )
        for step, s in m["steps"].items():
            parts = ", ".join(f"{k} {v}" for k, v in s["peak_rss_mb_by_part"].items())
            print(f"           {step:18s} {s['wall_s']:8.2f} s  peak RSS {s['peak_rss_mb']} MB ({parts})")
        if m.get("task_seconds"):
            print("           tasks: " + ", ".join(f"{k}: {v} s" for k, v in m["task_seconds"].items()))
    print("\nratios: " + ", ".join(f"{k} = {v}" for k, v in result["ratios"].items()))
    if result.get("resume"):
        print(
            "resume check: " + json.dumps({k: v for k, v in result["resume"].items() if k != "resumed_from"})
        )
    print("\ntargets:")
    for t in result["targets"]:
        note = f"  ({t['note']})" if t["note"] else ""
        print(f"  [{t['status']:6s}] {t['target']}: {t['value']}{note}")
    for name, m in result["methods"].items():
        if not m["equality"]["equal"]:
            print(f"\nDATA DIFFER in target of method {name}: {m['equality']['message']}", file=sys.stderr)


DESCRIPTIONS = {
    "a": "seed: pg_dump --schema-only + --data-only --inserts | psql",
    "b": "raw limit: pg_dump (COPY) | psql",
    "c": "ansible-playbook: dump, rewrite, load, verify",
    "c-nv": "ansible-playbook: dump (no checksums), rewrite, load (no verify task)",
    "c'": "module_utils functions: dump, rewrite, load, verify",
    "c'-nv": "module_utils functions: dump (no checksums), rewrite, load",
    "c'-rows": "module_utils functions: dump (no checksums), rewrite, load, row-level verify vs source",
    "d": "peer: pg_dump -Fd -j N + pg_restore -j N",
    "e": "peer: pgcopydb clone (N table jobs, N index jobs)",
}


def run_method(bench, name, source, batch_rows, jobs=2):
    target = bench.fresh_target(name)
    runners = {
        "a": lambda: method_seed(bench, source, target),
        "b": lambda: method_raw_copy(bench, source, target),
        "c": lambda: method_ansible(bench, source, target, True, batch_rows),
        "c-nv": lambda: method_ansible(bench, source, target, False, batch_rows),
        "c'": lambda: method_direct(bench, source, target, True, batch_rows),
        "c'-nv": lambda: method_direct(bench, source, target, False, batch_rows),
        "c'-rows": lambda: method_direct_rows(bench, source, target, batch_rows),
        "d": lambda: method_pg_dump_directory(bench, source, target, jobs),
        "e": lambda: method_pgcopydb(bench, source, target, jobs),
    }
    print(f"method {name}: {DESCRIPTIONS[name]} ...", flush=True)
    return target, runners[name]()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--task-instances", type=int, default=generate.DEFAULT_TASK_INSTANCES)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --task-instances (10 = 1M)")
    parser.add_argument("--dags", type=int, help="number of DAGs (default: one per 2,000 task instances)")
    parser.add_argument(
        "--methods", default=",".join(ALL_METHODS), help=f"comma-separated subset of {ALL_METHODS}"
    )
    parser.add_argument("--batch-rows", type=int, default=10000, help="metastore_load batch_rows")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 2,
        help="parallel jobs of the peers d and e (default: CPUs)",
    )
    parser.add_argument(
        "--resume-batch-rows",
        type=int,
        default=2000,
        help="batch_rows of the resume check's load (small, so the kill lands mid-table)",
    )
    parser.add_argument("--no-resume-check", action="store_true")
    parser.add_argument(
        "--fsync",
        choices=["on", "off"],
        default="on",
        help="the server's fsync: on as in production (default); off favours per-row commits (method a)",
    )
    parser.add_argument("--results-dir", default=str(BENCH_DIR / "results"))
    parser.add_argument(
        "--tamper-target",
        action="store_true",
        help="self-test: change one row in every target before the comparison; the run must exit 1",
    )
    args = parser.parse_args(argv)
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(args.methods) - set(ALL_METHODS))
    if unknown:
        parser.error(f"unknown method(s) {unknown}: choose from {ALL_METHODS}")
    return args


def prepare_source(bench, shape):
    source = bench.create_database("bench_source")
    started = time.monotonic()
    migrate_airflow_db(bench.url(source), DEFAULT_VERSION)
    print(f"airflow {DEFAULT_VERSION} db migrate: {time.monotonic() - started:.1f} s", flush=True)
    print(
        f"generating {shape.dags} DAGs x {shape.runs_per_dag} runs x {shape.tasks_per_dag} tasks "
        f"= {shape.task_instances:,d} task instances",
        flush=True,
    )
    started = time.monotonic()
    conn = psycopg2.connect(bench.url(source))
    try:
        counts = generate.generate(conn, shape)
    finally:
        conn.close()
    return source, counts, round(time.monotonic() - started, 1)


def host_info(load_before, **settings):
    """The machine a run measured on, its load average at the start and now, and the run's ``settings``."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "airflow": DEFAULT_VERSION,
        **settings,
        "loadavg_at_start": [round(v, 2) for v in load_before],
        "loadavg_at_end": [round(v, 2) for v in os.getloadavg()],
    }


def benchmark(args):
    shape = generate.shape_for(int(args.task_instances * args.scale), args.dags)
    server = start_postgres(settings={"fsync": args.fsync})
    load_before = os.getloadavg()
    workdir = tempfile.mkdtemp(prefix="airflow-ops-bench-")
    try:
        bench = Bench(server, workdir)
        source, generated, generate_s = prepare_source(bench, shape)
        expected = measure_source(bench, source)
        source_rows = sum(t["row_count"] for t in expected[0])
        methods = {}
        for name in args.methods:
            target, record = run_method(bench, name, source, args.batch_rows, args.jobs)
            if args.tamper_target:
                tamper(bench, target)
            record["equality"] = compare_with_source(bench, target, expected)
            record["rows_per_s"] = round(source_rows / record["wall_s"]) if record["wall_s"] else 0
            record["description"] = DESCRIPTIONS[name]
            methods[name] = record
            bench.drop_database(target)
        resume = None
        if not args.no_resume_check:
            print("resume check: kill -9 the load at ~50% and load again ...", flush=True)
            resume = resume_check(bench, source, expected, args.resume_batch_rows)
        with psycopg2.connect(bench.url(source)) as conn, conn.cursor() as cur:
            cur.execute("SHOW server_version")
            server_version = cur.fetchone()[0]
        conn.close()
    finally:
        remove_postgres(server)
        shutil.rmtree(workdir, ignore_errors=True)
    ratios = {}
    for c in ("c", "c-nv", "c'", "c'-nv", "c'-rows", "d", "e"):
        for base in ("a", "b"):
            if c in methods and base in methods:
                ratios[f"({c})/({base})"] = ratio(methods[c]["wall_s"], methods[base]["wall_s"])
    if "c" in methods and "c'" in methods:
        ratios["ansible overhead (c)-(c') s"] = round(methods["c"]["wall_s"] - methods["c'"]["wall_s"], 3)
    return {
        "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),  # noqa: UP017
        "host": host_info(load_before, postgresql=server_version, fsync=args.fsync, jobs=args.jobs),
        "shape": {
            "dags": shape.dags,
            "runs_per_dag": shape.runs_per_dag,
            "tasks_per_dag": shape.tasks_per_dag,
            "task_instances": shape.task_instances,
        },
        "generated_rows": generated,
        "generate_s": generate_s,
        "source_tables": len(expected[0]),
        "source_rows": source_rows,
        "methods": methods,
        "ratios": ratios,
        "resume": resume,
        "targets": evaluate_targets(methods, resume, shape.task_instances),
        "tampered": args.tamper_target,
    }


def write_results(result, results_dir):
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result['timestamp']}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def main(argv=None):
    args = parse_args(argv)
    try:
        result = benchmark(args)
    except (BenchError, generate.GeneratorError, RuntimeError, psycopg2.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_report(result)
    path = write_results(result, args.results_dir)
    print(f"\nresults: {path}")
    all_equal = all(m["equality"]["equal"] for m in result["methods"].values())
    if (
        result["resume"]
        and result["resume"].get("exercised")
        and not result["resume"]["target_equal_after_resume"]
    ):
        all_equal = False
    return 0 if all_equal else 1


if __name__ == "__main__":
    sys.exit(main())
