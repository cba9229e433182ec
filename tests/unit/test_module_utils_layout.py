"""The layout of plugins/module_utils shows the migration's data flow (docs/CONTRIBUTING.md).

Proves: the shared pieces sit at the top, the pipeline is one subpackage per stage in flow order, every
``__init__.py`` is empty (ansible-test's empty-init), and a stage imports a later stage only where
CONTRIBUTING names the exception. Does not prove the code in each file belongs to its stage: a reader
judges that.
"""

from __future__ import annotations

import ast
from pathlib import Path

MODULE_UTILS = Path(__file__).resolve().parents[2] / "plugins" / "module_utils"
PACKAGE = "ansible_collections.airflow_ops.metastore.plugins.module_utils"
SHARED = {"catalog", "cockroachdb_rules", "cockroachdb_user", "connection", "sqlalchemy_url", "sqlscript"}
STAGES = ("dump", "rewrite", "load", "verify", "sync")
# The two calls against the flow that docs/CONTRIBUTING.md names: load runs verify's post-load check;
# verify reads sync's record of touched keys for the cutover check.
AGAINST_THE_FLOW = {("load", "verify"), ("verify", "sync")}


def _stage_imports(path: Path) -> set[str]:
    prefix = f"{PACKAGE}.pipeline."
    stages = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(prefix):
            stages.add(node.module[len(prefix) :].split(".")[0])
    return stages & set(STAGES)


def test_the_top_holds_only_the_shared_pieces_and_the_pipeline():
    top = {p.stem for p in MODULE_UTILS.glob("*.py") if p.stem != "__init__"}
    folders = {p.name for p in MODULE_UTILS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert top == SHARED, f"pipeline code belongs under pipeline/<stage>/: {sorted(top - SHARED)}"
    assert folders == {"pipeline"}


def test_the_pipeline_is_one_subpackage_per_stage():
    pipeline = MODULE_UTILS / "pipeline"
    found = {p.name for p in pipeline.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert found == set(STAGES)
    for stage in STAGES:
        modules = [p.name for p in (pipeline / stage).glob("*.py") if p.name != "__init__.py"]
        assert modules, f"{stage}/ holds no module"


def test_every_init_is_empty():
    inits = sorted(MODULE_UTILS.rglob("__init__.py"))
    assert inits, "no __init__.py found"
    assert [str(p) for p in inits if p.read_text().strip()] == []


def test_a_stage_imports_a_later_stage_only_where_contributing_says():
    against = set()
    for position, stage in enumerate(STAGES):
        for path in (MODULE_UTILS / "pipeline" / stage).glob("*.py"):
            for imported in _stage_imports(path):
                if STAGES.index(imported) > position:
                    against.add((stage, imported))
    assert against - AGAINST_THE_FLOW == set(), "name the exception in docs/CONTRIBUTING.md, or move the code"
