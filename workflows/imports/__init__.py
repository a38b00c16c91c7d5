"""Data in and out: the import workbook of organisations and members (docs/import.md), its template and the export.

reading (file → tables, limits) · cells (one value) · layout (headers, words) ·
organisations and members (check and write) · scope (who may, and the journal) ·
run (the use case) · template and export (the other direction).
"""
from workflows.imports.layout import RowError
from workflows.imports.run import ImportRejected, ImportReport, require_importer, run_import

__all__ = ["ImportRejected", "ImportReport", "RowError", "require_importer", "run_import"]
