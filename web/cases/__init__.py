"""Case work: my work (dashboard), the case list, the case page with its step forms, documents and comments, the procedure diagram."""
