"""pgoutput.decode on bytes captured from a real PostgreSQL 15.18 server, and on damaged bytes.

Proves: every message type of protocol 1 that an Airflow metastore sync meets (Begin, Commit, Relation,
Insert, Update with and without the old key, an unchanged TOAST column, Delete by key and with REPLICA
IDENTITY FULL, Truncate with CASCADE and RESTART IDENTITY, a logical message) decodes to the values the
server wrote; the Begin's final LSN is the Commit's LSN; truncated or unknown bytes raise DecodeError.
Does not prove: protocol 2+ (streaming of large transactions, binary mode), which the sync does not ask for.

CAPTURED was produced by ``capture()`` below
(``PYTHONPATH=.build/collections python tests/unit/test_pgoutput.py`` prints it again from a fresh server:
the LSNs and timestamps differ from run to run, the structure does not):
``pg_logical_slot_peek_binary_changes(slot, NULL, NULL, 'proto_version', '1', 'publication_names', 'p',
'messages', 'true')`` after the statements in ``CAPTURE_SQL``. Relation OIDs: dag_run 16385, xcom 16393,
big 16400, full_ident 16407.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import pgoutput as po

CAPTURE_SQL = [
    "CREATE TABLE public.dag_run (id serial PRIMARY KEY, dag_id varchar(250) NOT NULL, conf jsonb, ctx bytea,"
    " note text, start_date timestamptz)",
    "CREATE TABLE public.xcom (dag_run_id int, task_id text, key text, value bytea,"
    " PRIMARY KEY (dag_run_id, task_id, key))",
    "CREATE TABLE public.big (id int PRIMARY KEY, payload text, n int)",
    "ALTER TABLE big ALTER payload SET STORAGE EXTERNAL",
    "CREATE TABLE public.full_ident (a int, b text)",
    "ALTER TABLE full_ident REPLICA IDENTITY FULL",
    "CREATE PUBLICATION p FOR TABLE dag_run, xcom, big, full_ident",
    "SELECT pg_create_logical_replication_slot('s', 'pgoutput')",
    "INSERT INTO dag_run (dag_id, conf, ctx, note, start_date) VALUES ('dag_\u00df', '{\"a\": [1, null]}',"
    " '\\x00ff5c', NULL, '2026-01-02 03:04:05.123456+00')",
    "INSERT INTO big VALUES (1, repeat('x', 3000), 1)",
    "UPDATE big SET n = 2 WHERE id = 1",
    "UPDATE dag_run SET id = 100, note = 'tab\there' WHERE id = 1",
    "BEGIN; INSERT INTO xcom VALUES (100, 't1', 'return_value', '\\x01');"
    " DELETE FROM xcom WHERE dag_run_id = 100; COMMIT",
    "INSERT INTO full_ident VALUES (1, 'x'); UPDATE full_ident SET b = 'y'; DELETE FROM full_ident",
    "TRUNCATE dag_run, xcom RESTART IDENTITY CASCADE",
    "SELECT pg_logical_emit_message(true, 'airflow_ops', 'hello')",
]

# (lsn, xid, hex of the message) as the server returned them.
CAPTURED = [
    ("0/15421F0", 732, "420000000001542308000304a7f7c7ccbd000002dc"),
    (
        "0/15421F0",
        732,
        "52000040017075626c6963006461675f72756e006400060169640000000017ffffffff006461675f69640000"
        "000413000000fe00636f6e660000000edaffffffff006374780000000011ffffffff006e6f74650000000019"
        "ffffffff0073746172745f6461746500000004a0ffffffff",
    ),
    (
        "0/15421F0",
        732,
        "49000040014e000674000000013174000000066461675fc39f74000000107b2261223a205b312c206e756c6c"
        "5d7d74000000085c783030666635636e740000001d323032362d30312d30322030333a30343a30352e313233"
        "3435362b3030",
    ),
    ("0/1542338", 732, "430000000000015423080000000001542338000304a7f7c7ccbd"),
    ("0/1543058", 733, "420000000001543150000304a7f7c7ce65000002dd"),
    (
        "0/1543058",
        733,
        "52000040107075626c696300626967006400030169640000000017ffffffff007061796c6f61640000000019"
        "ffffffff006e0000000017ffffffff",
    ),
    ("0/1543058", 733, "49000040104e00037400000001317400000bb8" + "78" * 3000 + "740000000131"),
    ("0/1543180", 733, "430000000000015431500000000001543180000304a7f7c7ce65"),
    ("0/15431B8", 734, "420000000001543218000304a7f7c7d071000002de"),
    ("0/15431B8", 734, "55000040104e000374000000013175740000000132"),
    ("0/1543248", 734, "430000000000015432180000000001543248000304a7f7c7d071"),
    ("0/1543248", 735, "420000000001543320000304a7f7c7d0ed000002df"),
    (
        "0/1543248",
        735,
        "55000040014b00067400000001316e6e6e6e6e4e0006740000000331303074000000066461675fc39f740000"
        "00107b2261223a205b312c206e756c6c5d7d74000000085c7830306666356374000000087461620968657265"
        "740000001d323032362d30312d30322030333a30343a30352e3132333435362b3030",
    ),
    ("0/1543350", 735, "430000000000015433200000000001543350000304a7f7c7d0ed"),
    ("0/1543350", 736, "4200000000015434a0000304a7f7c7d19a000002e0"),
    (
        "0/1543350",
        736,
        "52000040097075626c69630078636f6d00640004016461675f72756e5f69640000000017ffffffff01746173"
        "6b5f69640000000019ffffffff016b65790000000019ffffffff0076616c75650000000011ffffffff",
    ),
    (
        "0/1543350",
        736,
        "49000040094e0004740000000331303074000000027431740000000c72657475726e5f76616c756574000000045c783031",
    ),
    ("0/1543450", 736, "44000040094b0004740000000331303074000000027431740000000c72657475726e5f76616c75656e"),
    ("0/15434D0", 736, "430000000000015434a000000000015434d0000304a7f7c7d19a"),
    ("0/15434D0", 737, "4200000000015435b0000304a7f7c7d1f7000002e1"),
    (
        "0/15434D0",
        737,
        "52000040177075626c69630066756c6c5f6964656e740066000201610000000017ffffffff01620000000019ffffffff",
    ),
    ("0/15434D0", 737, "49000040174e0002740000000131740000000178"),
    ("0/1543510", 737, "55000040174f00027400000001317400000001784e0002740000000131740000000179"),
    ("0/1543568", 737, "44000040174f0002740000000131740000000179"),
    ("0/15435E0", 737, "430000000000015435b000000000015435e0000304a7f7c7d1f7"),
    ("0/1544F68", 738, "420000000001544f98000304a7f7c7d9d5000002e2"),
    (
        "0/1544F68",
        738,
        "52000040017075626c6963006461675f72756e006400060169640000000017ffffffff006461675f69640000"
        "000413000000fe00636f6e660000000edaffffffff006374780000000011ffffffff006e6f74650000000019"
        "ffffffff0073746172745f6461746500000004a0ffffffff",
    ),
    (
        "0/1544F68",
        738,
        "52000040097075626c69630078636f6d00640004016461675f72756e5f69640000000017ffffffff01746173"
        "6b5f69640000000019ffffffff016b65790000000019ffffffff0076616c75650000000011ffffffff",
    ),
    ("0/1544F68", 738, "5400000002030000400100004009"),
    ("0/1545270", 738, "43000000000001544f980000000001545270000304a7f7c7d9d5"),
    ("0/15452B8", 739, "4200000000015452b8000304a7f7c7dbe6000002e3"),
    ("0/15452B8", 739, "4d0100000000015452b8616972666c6f775f6f7073000000000568656c6c6f"),
    ("0/15452E8", 739, "430000000000015452b800000000015452e8000304a7f7c7dbe6"),
]

DAG_RUN, XCOM, BIG, FULL_IDENT = 16385, 16393, 16400, 16407


def messages():
    return [po.decode(bytes.fromhex(data)) for _lsn, _xid, data in CAPTURED]


def texts(values):
    return [v.text if v.kind == po.TEXT else v.kind for v in values]


def test_every_captured_message_decodes_in_transactions_whose_begin_names_their_commit():
    decoded = messages()
    kinds = "".join(type(m).__name__[0] for m in decoded)
    assert kinds == "BRICBRICBUCBUCBRIDCBRIUDCBRRTCBMC"
    begins = [m for m in decoded if isinstance(m, po.Begin)]
    commits = [m for m in decoded if isinstance(m, po.Commit)]
    assert [b.final_lsn for b in begins] == [c.commit_lsn for c in commits]
    assert all(c.end_lsn > c.commit_lsn for c in commits)
    assert [b.xid for b in begins] == sorted({xid for _lsn, xid, _data in CAPTURED})
    assert all(b.commit_time == c.commit_time for b, c in zip(begins, commits))  # noqa: B905
    assert begins[0].commit_time.year >= 2026
    # The commit LSN is where the server says the change is (peek's lsn column of the Commit).
    assert [po.format_lsn(c.end_lsn) for c in commits] == [
        lsn for (lsn, _xid, data) in CAPTURED if data.startswith("43")
    ]


def test_relation_names_columns_types_and_key():
    relation = messages()[1]
    assert relation == po.Relation(
        DAG_RUN,
        "public",
        "dag_run",
        "d",
        (
            po.Column("id", 23, -1, True),
            po.Column("dag_id", 1043, 254, False),
            po.Column("conf", 3802, -1, False),
            po.Column("ctx", 17, -1, False),
            po.Column("note", 25, -1, False),
            po.Column("start_date", 1184, -1, False),
        ),
    )
    assert relation.key_columns == ("id",)
    xcom = messages()[15]
    assert xcom.name == "xcom" and xcom.key_columns == ("dag_run_id", "task_id", "key")
    assert messages()[20].replica_identity == "f"


def test_insert_values_are_the_server_text_forms():
    insert = messages()[2]
    assert insert.relation_oid == DAG_RUN
    assert texts(insert.new) == [
        "1",
        "dag_\u00df",
        '{"a": [1, null]}',
        "\\x00ff5c",
        "n",
        "2026-01-02 03:04:05.123456+00",
    ]


def test_update_of_an_unchanged_toasted_column_marks_it_u():
    insert, update = messages()[6], messages()[9]
    assert texts(insert.new) == ["1", "x" * 3000, "1"]
    assert update == po.Update(BIG, (po.TupleValue("t", "1"), po.TupleValue("u"), po.TupleValue("t", "2")))


def test_update_that_changes_the_key_carries_the_old_key():
    update = messages()[12]
    assert update.old_kind == "K"
    assert texts(update.old) == ["1", "n", "n", "n", "n", "n"]
    assert texts(update.new)[0] == "100" and texts(update.new)[4] == "tab\there"


def test_delete_by_key_and_by_full_row():
    by_key, full_update, full_delete = messages()[17], messages()[22], messages()[23]
    assert by_key == po.Delete(
        XCOM,
        (
            po.TupleValue("t", "100"),
            po.TupleValue("t", "t1"),
            po.TupleValue("t", "return_value"),
            po.TupleValue("n"),
        ),
        "K",
    )
    assert (
        full_update.old_kind == "O"
        and texts(full_update.old) == ["1", "x"]
        and texts(full_update.new) == ["1", "y"]
    )
    assert full_delete.old_kind == "O" and texts(full_delete.old) == ["1", "y"]


def test_truncate_options_and_relations():
    truncate = messages()[28]
    assert truncate == po.Truncate(3, (DAG_RUN, XCOM))
    assert truncate.cascade and truncate.restart_identity


def test_logical_message():
    message = messages()[31]
    assert message.transactional and message.prefix == "airflow_ops" and message.content == b"hello"


def test_origin_and_type_messages():
    # Not in the capture (no replication origin, no user type); built from the documented layout.
    origin = b"O" + (0x1542338).to_bytes(8, "big") + b"node_a\0"
    assert po.decode(origin) == po.Origin(0x1542338, "node_a")
    assert po.decode(b"Y" + (16500).to_bytes(4, "big") + b"public\0mood\0") == po.Type(
        16500, "public", "mood"
    )


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_truncated_bytes_raise_decode_error(cut):
    data = bytes.fromhex(CAPTURED[2][2])
    with pytest.raises(po.DecodeError):
        po.decode(data[:-cut])


def test_trailing_bytes_unknown_types_and_binary_columns_raise_decode_error():
    with pytest.raises(po.DecodeError, match="bytes left"):
        po.decode(bytes.fromhex(CAPTURED[0][2]) + b"\0")
    with pytest.raises(po.DecodeError, match="unknown pgoutput message type"):
        po.decode(b"S\0\0\0\1")
    with pytest.raises(po.DecodeError, match="binary"):
        po.decode(b"I" + (1).to_bytes(4, "big") + b"N" + (1).to_bytes(2, "big") + b"b")
    with pytest.raises(po.DecodeError, match="empty"):
        po.decode(b"")


def test_lsn_text_forms():
    assert po.format_lsn(0x16_0154_2338) == "16/1542338"
    assert po.parse_lsn("16/1542338") == 0x16_0154_2338
    assert po.parse_lsn(po.format_lsn(2**40 + 5)) == 2**40 + 5
    with pytest.raises(po.DecodeError):
        po.parse_lsn("1542338")
    assert po.pg_timestamp(0) == datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)  # noqa: UP017


def capture():
    """Print CAPTURED again from a fresh, real server (see the module docstring)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import psycopg2

    from tests.support.postgres_server import remove_postgres, start_postgres

    server = start_postgres(
        settings={"wal_level": "logical", "max_replication_slots": "4", "max_wal_senders": "4"}
    )
    try:
        conn = psycopg2.connect(server.url)
        conn.autocommit = True
        with conn.cursor() as cur:
            for statement in CAPTURE_SQL:
                cur.execute(statement)
            cur.execute(
                "SELECT lsn::text, xid::text::int, encode(data, 'hex')"
                " FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL, 'proto_version', '1',"
                " 'publication_names', 'p', 'messages', 'true')"
            )
            for row in cur.fetchall():
                print(f"    {row!r},")
        conn.close()
    finally:
        remove_postgres(server)


if __name__ == "__main__":
    capture()
