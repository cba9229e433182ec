# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dump manifest (DUMP_DIR/manifest.json): build, write atomically, read and validate.

A manifest is the contract between metastore_dump, metastore_rewrite, metastore_load and
metastore_verify; ``validate`` rejects anything a loader could not trust (a manifest edited or
damaged after the dump wrote it, missing keys, a data file outside the dump directory, a checksum
that is not one, a file whose sha256 differs).

The files' sha256 sums live in the manifest, so the manifest carries a digest of itself too
(``manifest_sha256``): without it, an edited row count or checksum would only show once the load
had written the whole schema and that table's rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DIGEST_KEY = "manifest_sha256"
SCHEMA_SECTIONS = ("pre-data", "post-data")
_CHECKSUM_RE = re.compile(r"^v1:[0-9a-f]{64}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_DATA_FILE_RE = re.compile(r"^data/[^/\\]+\.copy$")


class ManifestError(Exception):
    """The manifest is missing, unreadable or inconsistent; the message says what is wrong."""


def schema_file(section):
    return f"schema/{section}.sql"


def data_file(schema, name):
    """``data/<schema>.<table>.copy``; names with a path separator are refused, not rewritten."""
    for part in (schema, name):
        if "/" in part or "\\" in part or part in (".", ".."):
            raise ManifestError(
                f"table name {schema}.{name} cannot be a file name: it contains a path separator"
            )
    return f"data/{schema}.{name}.copy"


def sha256_file(path, chunk_size=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def has_checksums(manifest):
    """False for a dump taken with metastore_dump checksums=false (row counts only)."""
    return manifest.get("checksums", True) is not False


def content_digest(manifest):
    """What identifies the dumped content (not when it was taken): schema, tables, sequences, revision."""
    material = {
        "schema": manifest.get("schema_digests") or manifest.get("schema_files"),
        "tables": [
            [t["schema"], t["name"], t["columns"], t["row_count"], t["checksum"]] for t in manifest["tables"]
        ],
        "sequences": [[s["schema"], s["name"], s["value"], s["is_called"]] for s in manifest["sequences"]],
        "alembic_revision": manifest.get("alembic_revision"),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()


def manifest_digest(manifest):
    """sha256 of the manifest's canonical json, without its own digest (so it can be stored inside)."""
    material = {key: value for key, value in manifest.items() if key != DIGEST_KEY}
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(manifest):
    """Store the manifest's digest in it (``manifest_sha256``); returns the same dict."""
    manifest[DIGEST_KEY] = manifest_digest(manifest)
    return manifest


def check_seal(manifest):
    """``ManifestError`` unless the manifest holds its own digest and the content still matches it.

    A manifest without one is refused rather than trusted: it cannot be told apart from one whose
    digest was removed along with an edit, and a new dump of the same source costs one dump run.
    """
    recorded = manifest.get(DIGEST_KEY)
    if recorded is None:
        raise ManifestError(
            f"the manifest has no '{DIGEST_KEY}' (it was written by an older metastore_dump, or the field "
            "was removed), so its row counts and checksums cannot be trusted: dump again"
        )
    if recorded != manifest_digest(manifest):
        raise ManifestError(
            f"the manifest was changed after metastore_dump wrote it (its content no longer matches its "
            f"'{DIGEST_KEY}'): do not edit manifest.json; dump again"
        )


def write(dump_dir, manifest):
    """Seal and write manifest.json atomically (temp file + rename): a reader never sees half a manifest."""
    seal(manifest)
    path = os.path.join(dump_dir, MANIFEST_NAME)
    fd, tmp = tempfile.mkstemp(prefix=".manifest.", dir=dump_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=True, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read(dump_dir):
    """Read manifest.json from ``dump_dir``; ``ManifestError`` if it is missing or not json."""
    path = os.path.join(dump_dir, MANIFEST_NAME)
    if not os.path.isfile(path):
        raise ManifestError(f"{path} does not exist: run metastore_dump into {dump_dir} first")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path} is not a readable json manifest ({exc}): dump again") from None


def _require(mapping, key, kind, where):
    if key not in mapping:
        raise ManifestError(f"{where}: missing '{key}'")
    value = mapping[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ManifestError(f"{where}: '{key}' must be {getattr(kind, '__name__', kind)}, not {value!r}")
    return value


def _validate_table(table, index, checksums=True):
    where = f"manifest tables[{index}]"
    if not isinstance(table, dict):
        raise ManifestError(f"{where} is not an object")
    schema = _require(table, "schema", str, where)
    name = _require(table, "name", str, where)
    where = f"manifest table {schema}.{name}"
    file_name = _require(table, "file", str, where)
    if not _DATA_FILE_RE.match(file_name) or ".." in file_name:
        raise ManifestError(f"{where}: file {file_name!r} must be data/<name>.copy inside the dump directory")
    columns = _require(table, "columns", list, where)
    if not columns or not all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in columns):
        raise ManifestError(f"{where}: 'columns' must be a non-empty list of {{name, type}}")
    _require(table, "primary_key", list, where)
    if _require(table, "row_count", int, where) < 0:
        raise ManifestError(f"{where}: 'row_count' is negative")
    if checksums and not _CHECKSUM_RE.match(_require(table, "checksum", str, where)):
        raise ManifestError(f"{where}: 'checksum' is not a v1 checksum")
    if not checksums and table.get("checksum") is not None:
        raise ManifestError(f"{where}: a checksum in a dump taken without checksums")
    if not _SHA256_RE.match(_require(table, "file_sha256", str, where)):
        raise ManifestError(f"{where}: 'file_sha256' is not a sha256")


def validate(manifest, dump_dir=None, check_files=True):
    """``ManifestError`` unless ``manifest`` is sealed, complete and, with ``dump_dir``, matches its files."""
    if not isinstance(manifest, dict):
        raise ManifestError("manifest is not a json object")
    check_seal(manifest)  # first: nothing below is worth checking in a manifest that was edited
    version = _require(manifest, "format_version", int, "manifest")
    if version != FORMAT_VERSION:
        raise ManifestError(f"manifest format_version {version} is not supported (expected {FORMAT_VERSION})")
    _require(manifest, "source", dict, "manifest")
    _require(manifest, "pg_dump_version", str, "manifest")
    tables = _require(manifest, "tables", list, "manifest")
    for index, table in enumerate(tables):
        _validate_table(table, index, has_checksums(manifest))
    names = [(t["schema"], t["name"]) for t in tables]
    if len(set(names)) != len(names):
        raise ManifestError("manifest lists a table twice")
    for index, seq in enumerate(_require(manifest, "sequences", list, "manifest")):
        where = f"manifest sequences[{index}]"
        if not isinstance(seq, dict):
            raise ManifestError(f"{where} is not an object")
        _require(seq, "schema", str, where)
        _require(seq, "name", str, where)
        _require(seq, "value", int, where)
        _require(seq, "is_called", bool, where)
    schema_files = _require(manifest, "schema_files", dict, "manifest")
    for section in SCHEMA_SECTIONS:
        if not _SHA256_RE.match(str(schema_files.get(section, ""))):
            raise ManifestError(f"manifest schema_files: '{section}' is not a sha256")
    if dump_dir is not None and check_files:
        check_files_match(manifest, dump_dir)
    return manifest


def check_files_match(manifest, dump_dir):
    """Every file the manifest names exists and has the recorded sha256 (a truncated copy is caught)."""
    expected = [(schema_file(s), manifest["schema_files"][s]) for s in SCHEMA_SECTIONS]
    expected += [(t["file"], t["file_sha256"]) for t in manifest["tables"]]
    for relative, digest in expected:
        path = os.path.join(dump_dir, relative)
        if not os.path.isfile(path):
            raise ManifestError(f"{path} is missing: the dump is incomplete, run metastore_dump again")
        if sha256_file(path) != digest:
            raise ManifestError(
                f"{path} does not match its sha256 in the manifest: it was changed or truncated"
            )


def load(dump_dir, check_files=True):
    """Read and validate the manifest of ``dump_dir``."""
    return validate(read(dump_dir), dump_dir, check_files)
