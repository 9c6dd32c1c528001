"""The check cycle: check one document (core), find new ones (intake), when to
look again (schedule), confirm fetches and re-extraction over stored bodies."""

from monitor.cycle.outcome import CycleSummary, DocumentOutcome
from monitor.cycle.reextract import ReextractReport, reextract
from monitor.cycle.run import run_cycle

__all__ = ["CycleSummary", "DocumentOutcome", "ReextractReport", "reextract", "run_cycle"]
