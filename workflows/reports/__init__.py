"""Reports and audits: the year's statistics, the pipeline, the compliance audit, the member register, the audit-log search and exports. Read-only."""
