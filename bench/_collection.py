"""The collection's module_utils as the bench scripts import them, from this checkout.

The modules' shared code is importable only as ``ansible_collections.airflow_ops.metastore`` (a symlink
tree under .build/, tests/support/collection.py), so this sets that up before importing it. A script run as
``python bench/<name>.py`` has bench/ on sys.path, not the checkout: it puts the checkout first, then imports
what it uses from here:

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench._collection import connect, verifier

These are the modules bench/direct.py's steps call (its peak RSS per step is measured); the other scripts
take their share of them.
"""

from __future__ import annotations

from tests.support.collection import COLLECTIONS_ROOT, REPO_ROOT, ensure_collection_importable

ensure_collection_importable()

from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import connect  # noqa: E402
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest  # noqa: E402
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper  # noqa: E402
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.load import load_progress, loader  # noqa: E402
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.rewrite import schema_rewrite  # noqa: E402
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import (  # noqa: E402
    sync_apply,
    sync_slot,
    sync_verify,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import verifier  # noqa: E402

__all__ = [
    "COLLECTIONS_ROOT",
    "REPO_ROOT",
    "connect",
    "dumper",
    "load_progress",
    "loader",
    "manifest",
    "schema_rewrite",
    "sync_apply",
    "sync_slot",
    "sync_verify",
    "verifier",
]
