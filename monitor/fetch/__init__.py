"""Fetch stage: every request guarded (SSRF), polite (robots.txt, per-host
pacing) and bounded (size, decoding, overall deadline)."""

import sys
import types

# httpx imports its own command-line client (`httpx._main`: rich, click, pygments,
# ~85 ms of every process's start-up) whenever those packages are installed, and
# this service never runs it. A placeholder in its place makes httpx's guarded
# `from ._main import main` fail as if they were missing, which httpx handles.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))
