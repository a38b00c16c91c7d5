"""Generated documents (issue 15): every resolution and decision the procedures produce, as DOCX and PDF."""
