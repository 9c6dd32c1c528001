"""Analysis: relevance, themes, the summary and the assessment of a change.

Pure functions over text: no I/O and no SQL, so the cycle, the web UI and the
CLI can all ask the same questions of a text and get the same answers.
"""
