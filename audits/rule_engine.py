"""Loading rules: built-ins, third-party entry points, and their `[rules.<id>]` config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from audits.core.config import AuditConfig, ConfigError, build_dataclass
from audits.core.errors import SiteauditError
from rules import BUILTIN_RULES
from rules.base import Finding, PageRule, Rule, Severity, SiteRule

ENTRY_POINT_GROUP = "siteaudit.rules"
# Keys every [rules.<id>] section accepts besides the rule's own options.
_COMMON_KEYS = ("enabled", "severity")


class PluginError(SiteauditError):
    """A third-party rule could not be loaded; the message names its package."""


@dataclass(frozen=True)
class RuleSet:
    """The rules of one audit, configured and ready to run."""

    page_rules: tuple[PageRule, ...]
    site_rules: tuple[SiteRule, ...]

    @property
    def all(self) -> tuple[Rule, ...]:
        """Every enabled rule, page rules first."""
        return (*self.page_rules, *self.site_rules)


def available_rules(*, plugins: bool = True) -> dict[str, type[Rule]]:
    """Every known rule class by id: built-ins, then entry-point plugins."""
    rules: dict[str, type[Rule]] = {cls.id: cls for cls in BUILTIN_RULES}
    if plugins:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            package = ep.dist.name if ep.dist else ep.value
            try:
                cls = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"rule plugin {ep.name!r} from package {package} failed to load: {' '.join(str(exc).split())}"
                ) from exc
            if not (isinstance(cls, type) and issubclass(cls, PageRule | SiteRule)):
                raise PluginError(
                    f"rule plugin {ep.name!r} from package {package} is not a PageRule or SiteRule"
                )
            if cls.id != ep.name:
                raise PluginError(
                    f"rule plugin {ep.name!r} from package {package} has id {cls.id!r}; they must match"
                )
            if cls.id in rules:
                raise PluginError(
                    f"rule plugin {ep.name!r} from package {package} reuses a rule id"
                )
            rules[cls.id] = cls
    return rules


def load_ruleset(config: AuditConfig) -> RuleSet:
    """Instantiate every enabled rule with its configured options."""
    classes = available_rules(plugins=config.plugins)
    unknown = sorted(set(config.rules) - set(classes))
    if unknown:
        raise ConfigError(f"[rules.{unknown[0]}]: no such rule; `siteaudit rules` lists them")
    page: list[PageRule] = []
    site: list[SiteRule] = []
    for rule_id, cls in classes.items():
        section = dict(config.rules.get(rule_id, {}))
        rule = configure(cls, section)
        if rule is None:
            continue
        if isinstance(rule, PageRule):
            page.append(rule)
        elif isinstance(rule, SiteRule):
            site.append(rule)
    return RuleSet(tuple(page), tuple(site))


def configure(cls: type[Rule], section: Mapping[str, Any]) -> Rule | None:
    """One rule from its config section, or None when the section disables it."""
    where = f"[rules.{cls.id}]"
    values = dict(section)
    enabled = values.pop("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where} enabled must be true or false")
    severity = values.pop("severity", None)
    if severity is not None:
        try:
            severity = Severity(severity)
        except ValueError:
            valid = ", ".join(s.value for s in Severity)
            raise ConfigError(f"{where} severity must be one of: {valid}") from None
    try:
        options = build_dataclass(cls.Options, values, where)
    except ConfigError as exc:
        if "unknown key" in str(exc):
            raise ConfigError(f"{exc}, {', '.join(_COMMON_KEYS)}") from None
        raise
    return cls(options, severity) if enabled else None


def finding_row(finding: Finding) -> dict[str, Any]:
    """A finding as a JSON-ready row: how it travels from the page stage's workers and
    through Redis to the store, which keeps these fields."""
    return {
        "rule": finding.rule,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "url": finding.url,
        "target": finding.target,
        "message": finding.message,
        "selector": finding.selector,
        "snippet": finding.snippet,
        "evidence": dict(finding.evidence),
        "pages": list(finding.pages),
        "fingerprint": finding.fingerprint,
    }
