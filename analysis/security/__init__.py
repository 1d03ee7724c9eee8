"""The AST security verifier: typed, registered checks over alias-resolved names.

Used by the static-test node (:func:`scan_findings`) and, on unfinished code,
by the security-aware beam search (:func:`analyze_incremental`).
"""

from analysis.security.extract import extract_code
from analysis.security.incremental import (
    INVALID_PENALTY,
    SEVERITY_WEIGHTS,
    CacheStats,
    IncrementalResult,
    ParseState,
    SecurityCache,
    analyze_incremental,
    penalty,
)
from analysis.security.issue import Confidence, SecurityIssue
from analysis.security.policy import DEFAULT_POLICY, Policy
from analysis.security.registry import Rule, loaded_registry
from analysis.security.scanner import scan, scan_findings, scan_tree

__all__ = [
    "DEFAULT_POLICY",
    "INVALID_PENALTY",
    "SEVERITY_WEIGHTS",
    "CacheStats",
    "Confidence",
    "IncrementalResult",
    "ParseState",
    "Policy",
    "Rule",
    "SecurityCache",
    "SecurityIssue",
    "analyze_incremental",
    "extract_code",
    "loaded_registry",
    "penalty",
    "scan",
    "scan_findings",
    "scan_tree",
]
