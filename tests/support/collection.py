"""Make ``ansible_collections.airflow_ops.metastore`` importable from this checkout.

Modules import shared code as ``ansible_collections.airflow_ops.metastore.plugins.module_utils``;
tests import it the same way. A symlink tree under .build/ points that name at the repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS_ROOT = REPO_ROOT / ".build" / "collections"


def ensure_collection_importable() -> Path:
    link = COLLECTIONS_ROOT / "ansible_collections" / "airflow_ops" / "metastore"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    if str(COLLECTIONS_ROOT) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS_ROOT))
    return COLLECTIONS_ROOT
