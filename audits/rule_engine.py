"""The rule engine: loading rules (built-ins and third-party entry points), configuring
them from their `[rules.<id>]` sections, and running them on a page or a site.

One audit's rules are loaded once per process (`rule_engine`): the engine that checks the
configuration before the crawl is the one the page stage and the site stage run, and each
page worker loads its own once when it starts. A rule that raises is reported as a rule
error for that page or site (`describe_error`) and the other rules carry on.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from importlib.metadata import entry_points
from typing import Any

from audits.core.config import AuditConfig, ConfigError, build_dataclass
from audits.core.errors import SiteauditError, did_you_mean
from rules import BUILTIN_RULES
from rules.base import Finding, PageRule, Rule, Severity, SiteRule
from rules.page import Page
from rules.site import Site

ENTRY_POINT_GROUP = "siteaudit.rules"
# Keys every [rules.<id>] section accepts besides the rule's own options.
_COMMON_KEYS = ("enabled", "severity")


class PluginError(SiteauditError):
    """A third-party rule could not be loaded; the message names its package."""


class SiteRuleFailed(Exception):
    """A site rule raised; the message describes the error in one line (`describe_error`)."""


SITE_FINDINGS_BATCH = 1000
"""Findings of a site rule handed on at a time (`RuleEngine.check_site`)."""


@dataclass
class PageResults:
    """What the rules made of one page: findings as rows (`finding_row`), the site rules'
    facts about it by rule id, and (rule id, description) of each rule that failed."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RuleEngine:
    """The rules of one audit, configured and ready to run."""

    page_rules: tuple[PageRule, ...]
    site_rules: tuple[SiteRule, ...]

    @property
    def all(self) -> tuple[Rule, ...]:
        """Every enabled rule, page rules first."""
        return (*self.page_rules, *self.site_rules)

    def check_page(self, page: Page) -> PageResults:
        """Every page rule on the page, and every site rule's fact collector."""
        results = PageResults()
        findings = results.findings
        for rule in self.page_rules:
            try:
                if rule.applies_to(page):
                    for finding in rule.check_page(page):
                        findings.append(finding_row(finding))
            except Exception as exc:  # a faulty rule must not cost the rest of the audit
                results.errors.append((rule.id, describe_error(exc)))
        for rule in self.fact_rules:
            try:
                facts = rule.page_facts(page)
            except Exception as exc:
                results.errors.append((rule.id, describe_error(exc)))
                continue
            if facts is not None:
                results.facts[rule.id] = facts
        return results

    def check_site(self, rule: SiteRule, site: Site) -> Iterator[list[dict[str, Any]]]:
        """One site rule's findings as rows, SITE_FINDINGS_BATCH at a time as the rule
        finds them: a rule can find something on most of 50,000 pages, and its findings
        are never all held at once. A rule that raises raises SiteRuleFailed, after the
        batches before it were handed on."""
        findings = iter(rule.check_site(site))
        try:
            while batch := [
                finding_row(f) for f in itertools.islice(findings, SITE_FINDINGS_BATCH)
            ]:
                yield batch
        except Exception as exc:  # a faulty rule must not cost the rest of the audit
            raise SiteRuleFailed(describe_error(exc)) from exc

    @cached_property
    def fact_rules(self) -> tuple[Rule, ...]:
        """The rules that record facts about each page: every site rule, and the page
        rules that override `page_facts`."""
        recording = tuple(r for r in self.page_rules if type(r).page_facts is not Rule.page_facts)
        return (*recording, *self.site_rules)


_engines: dict[str, RuleEngine] = {}


def rule_engine(config: AuditConfig) -> RuleEngine:
    """The engine for this configuration's rules, loaded once per process: the same
    `[rules]` sections and plugin switch give the same engine."""
    key = json.dumps([config.plugins, config.rules], sort_keys=True, default=repr)
    if key not in _engines:
        _engines[key] = load_rules(config)
    return _engines[key]


def forget_rule_engines() -> None:
    """Load rules afresh on the next `rule_engine` call (for a process whose installed
    plugins changed, which only tests do)."""
    _engines.clear()


def describe_error(exc: BaseException) -> str:
    """Exception type, message and the innermost frame: enough to report a rule bug."""
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {os.path.basename(frame[0].filename)}:{frame[0].lineno}" if frame else ""
    message = " ".join(str(exc).split())  # one line, whatever the exception says
    return f"{type(exc).__name__}: {message}{where}"[:500]


def with_as_of(config: AuditConfig, day: date) -> AuditConfig:
    """The config with every rule that has an `as_of` option judging dates as of `day`."""
    rules = {rule_id: dict(section) for rule_id, section in config.rules.items()}
    for cls in available_rules(plugins=config.plugins).values():
        if "as_of" in {f.name for f in dataclasses.fields(cls.Options)}:
            rules.setdefault(cls.id, {})["as_of"] = day.isoformat()
    return dataclasses.replace(config, rules=rules)


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


def load_rules(config: AuditConfig) -> RuleEngine:
    """Instantiate every enabled rule with its configured options (each call loads them
    afresh: `rule_engine` is the once-per-process way)."""
    classes = available_rules(plugins=config.plugins)
    unknown = sorted(set(config.rules) - set(classes))
    if unknown:
        raise ConfigError(
            f"[rules.{unknown[0]}]: no such rule{did_you_mean(unknown[0], classes)}; "
            "`siteaudit rules` lists them"
        )
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
    return RuleEngine(tuple(page), tuple(site))


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
