"""Report pages with their exports and charts, and the audit-log viewer."""
