"""Extract stage: decode a fetched body and find its main text (HTML pages, PDF, DOCX)."""
