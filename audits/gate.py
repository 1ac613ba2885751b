"""The CI gate: which findings fail a release, baselines of accepted ones, the CI summary."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from audits.core.config import ConfigError
from audits.store import now
from rules.base import Category, Finding, Severity, is_inventory

_ORDER = [s.value for s in Severity]  # critical first
BASELINE_VERSION = 1


def at_or_above(severity: str, threshold: str) -> bool:
    """True when `severity` is as bad as `threshold` or worse."""
    return _ORDER.index(severity) <= _ORDER.index(threshold)


def parse_severity(value: str, where: str = "--fail-on") -> str:
    """A severity name, or ConfigError listing the valid ones."""
    if value not in _ORDER:
        raise ConfigError(f"{where} must be one of: {', '.join(_ORDER)} (got {value!r})")
    return value


@dataclass(frozen=True)
class Gate:
    """What fails the gate: a severity threshold, overridable per category."""

    fail_on: str = Severity.HIGH.value
    categories: Mapping[str, str] = field(default_factory=dict)
    """Category to threshold; "none" exempts a category from the gate."""

    def threshold(self, category: str) -> str | None:
        """The severity at which a finding of `category` fails the gate (None: never)."""
        value = self.categories.get(category, self.fail_on)
        return None if value == "none" else value

    def fails(self, finding: Finding) -> bool:
        """True when this finding alone fails the gate."""
        threshold = self.threshold(finding.category.value)
        return threshold is not None and at_or_above(finding.severity.value, threshold)


def parse_gate(fail_on: str, categories: Mapping[str, object] | None, where: str) -> Gate:
    """A Gate from `--fail-on` and a config `[gate]` section of per-category thresholds."""
    parsed: dict[str, str] = {}
    valid = {c.value for c in Category}
    for category, value in (categories or {}).items():
        if category not in valid:
            raise ConfigError(
                f"{where}: unknown category {category}; valid: {', '.join(sorted(valid))}"
            )
        if value != "none":
            parse_severity(str(value), f"{where} {category}")
        parsed[category] = str(value)
    return Gate(parse_severity(fail_on), parsed)


def load_baseline(path: Path) -> set[str]:
    """The fingerprints a baseline file accepts."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"baseline {path} does not exist; `siteaudit baseline` writes one"
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"baseline {path} is not a siteaudit baseline ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("fingerprints"), list):
        raise ConfigError(f"baseline {path} is not a siteaudit baseline (no fingerprints list)")
    return {str(f) for f in data["fingerprints"]}


def write_baseline(path: Path, findings: Iterable[Finding], start_url: str) -> int:
    """Write every finding's fingerprint as accepted; return how many."""
    fingerprints = sorted({f.fingerprint for f in findings})
    data = {
        "baseline_version": BASELINE_VERSION,
        "start_url": start_url,
        "written": now(),
        "fingerprints": fingerprints,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return len(fingerprints)


@dataclass
class GateResult:
    """The gate's decision and the findings behind it."""

    failing: list[Finding]
    accepted: int
    """Findings at or above the threshold that the baseline accepts."""

    @property
    def passed(self) -> bool:
        """True when nothing fails the gate."""
        return not self.failing

    def summary(self, limit: int = 10) -> list[str]:
        """A few plain lines for a CI log."""
        if self.passed:
            note = f" ({self.accepted} accepted by the baseline)" if self.accepted else ""
            return [f"Gate passed: no new findings at or above the threshold{note}."]
        counts = Counter(f.severity.value for f in self.failing)
        kinds = ", ".join(f"{counts[s]} {s}" for s in _ORDER if counts[s])
        lines = [f"Gate failed: {len(self.failing)} findings at or above the threshold ({kinds})."]
        for finding in self.failing[:limit]:
            lines.append(
                f"  [{finding.severity}] {finding.rule}: {finding.message} ({finding.url})"
            )
        if len(self.failing) > limit:
            lines.append(f"  ... and {len(self.failing) - limit} more (see the report)")
        return lines


def judge(findings: Iterable[Finding], gate: Gate, baseline: set[str] | None) -> GateResult:
    """Apply the gate (and the baseline, if any) to a run's findings; inventory rows
    are not problems, whatever severity a configuration gives them."""
    failing, accepted = [], 0
    for finding in findings:
        if is_inventory(finding.rule) or not gate.fails(finding):
            continue
        if baseline is not None and finding.fingerprint in baseline:
            accepted += 1
            continue
        failing.append(finding)
    return GateResult(failing, accepted)
