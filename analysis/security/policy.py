"""Which checks run and how severe their findings are, from ``sabs`` settings."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.findings import Severity
from analysis.security.registry import Rule, loaded_registry
from config.errors import ConfigError
from config.settings import SabsSettings


@dataclass(frozen=True)
class Policy:
    """Disabled check ids and per-id severity overrides; hashable, so it can key a cache."""

    disabled_checks: frozenset[str] = frozenset()
    severity_overrides: tuple[tuple[str, Severity], ...] = ()

    @classmethod
    def from_settings(cls, settings: SabsSettings) -> Policy:
        """Build the policy from ``sabs.disabled_checks`` and ``sabs.severity_overrides``.

        Raises ConfigError naming any check id the verifier does not know.
        """
        known = loaded_registry().rules
        for key, ids in (
            ("sabs.disabled_checks", settings.disabled_checks),
            ("sabs.severity_overrides", tuple(settings.severity_overrides)),
        ):
            unknown = sorted(set(ids) - set(known))
            if unknown:
                raise ConfigError(
                    f"unknown security check id(s) {', '.join(unknown)} in {key}; "
                    f"known ids are {min(known)}..{max(known)} (see `analysis/security`)"
                )
        overrides = tuple(
            sorted(
                (rule_id, Severity.parse(name))
                for rule_id, name in settings.severity_overrides.items()
            )
        )
        return cls(frozenset(settings.disabled_checks), overrides)

    def enabled(self, rule_id: str) -> bool:
        """True unless the check id is disabled."""
        return rule_id not in self.disabled_checks

    def severity(self, rule: Rule) -> Severity:
        """The rule's severity after any override."""
        for rule_id, severity in self.severity_overrides:
            if rule_id == rule.id:
                return severity
        return rule.severity


DEFAULT_POLICY = Policy()
