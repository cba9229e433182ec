"""airflow_ops_crdb: Apache Airflow on CockroachDB (sqlalchemy-cockroachdb's ``cockroachdb`` dialect).

Airflow branches on the dialect's name in many places and knows only ``postgresql``, ``mysql`` and
``sqlite``; upstream declined CockroachDB support (apache/airflow#46175). The places are listed and
classified per Airflow release by ``scripts/airflow_dialect_audit.py`` (results in
``scripts/airflow-dialect-audit/``). What to change lives in ONE file per Airflow minor beside this one
(``airflow_3_3.py``, ``airflow_2_11.py``): read that file to see every patch and why it exists.

How it is switched on: the airflow role copies this package into the virtualenv's site-packages and
writes ``airflow_ops_crdb.pth`` beside it (Python's own ``site`` mechanism runs its ``import`` line at
interpreter start), so every ``airflow ...`` process of that venv gets the layer with no manual step.
No file of Airflow's is edited. ``activate()`` only registers an import hook: nothing of Airflow is
imported until Airflow itself is, and each patch runs right after its module has been executed,
before any other module can ``from ... import`` the patched name.

An Airflow minor without a layer file gets a warning and no patch, unless a layer is named to use
anyway: ``activate(assume="3.3")``, or the file ``assume_layer`` in this package holding ``3.3`` (the
role writes it when the operator opts in with ``airflow_crdb_layer_allow_unaudited: true``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.metadata
import logging
import sys
from pathlib import Path

LAYERS = {"2.11": "airflow_2_11", "3.3": "airflow_3_3"}
ASSUME_FILE = Path(__file__).with_name("assume_layer")

log = logging.getLogger(__name__)
_state: dict = {"hook": None, "layer": None}


def layer_for(airflow_version: str, assume: str | None = None) -> str | None:
    """The layer module name for an Airflow version (``"3.3.2"``), or None when none covers it."""
    minor = ".".join(airflow_version.split(".")[:2])
    return LAYERS.get(assume or minor)


def _airflow_version() -> str:
    """Airflow's version without importing it (Airflow 3 ships the code as apache-airflow-core)."""
    for dist in ("apache-airflow-core", "apache-airflow"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


class _LoaderWithPatch(importlib.abc.Loader):
    """Runs the real loader, then the patch: the module is complete before anyone imports from it."""

    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._patch(module)

    def __getattr__(self, name):  # get_code, get_source, is_package, ... for tools that ask
        return getattr(self._loader, name)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Waits for ``airflow`` to be imported, picks the layer for its version, then patches on import."""

    def __init__(self, assume: str | None):
        self._assume = assume
        self._patches: dict | None = None

    def _choose_layer(self) -> dict:
        version = _airflow_version()
        name = layer_for(version, self._assume)
        if name is None:
            log.warning(
                "airflow_ops_crdb: Airflow %s has no CockroachDB layer (covered: %s); nothing is patched, "
                "so Airflow may fail on the cockroachdb dialect. Use a covered Airflow release, or opt in "
                "with airflow_crdb_layer_allow_unaudited (the newest layer of your major is then used).",
                version,
                ", ".join(sorted(LAYERS)),
            )
            return {}
        layer = importlib.import_module(f"{__name__}.{name}")
        _state["layer"] = layer
        return dict(layer.PATCHES)

    def find_spec(self, fullname, path, target=None):
        if self._patches is None:
            if fullname != "airflow":
                return None
            self._patches = self._choose_layer()
        patch = self._patches.pop(fullname, None)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                spec.loader = _LoaderWithPatch(spec.loader, patch)
                return spec
        return None


def activate(assume: str | None = None) -> None:
    """Register the import hook once. ``assume``: a layer minor to use for an uncovered Airflow."""
    if _state["hook"] is not None:
        return
    if "airflow" in sys.modules:
        log.warning("airflow_ops_crdb: activated after airflow was imported; nothing is patched")
        return
    if assume is None and ASSUME_FILE.exists():
        assume = ASSUME_FILE.read_text(encoding="utf-8").strip() or None
    _state["hook"] = _PatchOnImport(assume)
    sys.meta_path.insert(0, _state["hook"])


def active_layer():
    """The layer module in use (None before ``airflow`` is imported or when none covers it)."""
    return _state["layer"]
