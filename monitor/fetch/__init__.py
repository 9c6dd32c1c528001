"""Fetch stage: every request guarded (SSRF), polite (robots.txt, per-host
pacing) and bounded (size, decoding, overall deadline)."""
