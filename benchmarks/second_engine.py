"""Benchmark: IBM's Equal Access engine beside axe-core on the W3C ACT rules test cases.

The evaluation behind docs/accessibility.md, "A second engine": is a case newly found,
or newly falsely flagged, when IBM's engine (`accessibility-checker-engine`, `make ace`
puts the pinned one in vendor/) runs in the same Chromium session as axe-core? Each case
page (served on 127.0.0.1 as benchmarks/act.py serves them) is loaded with axe-core and
IBM's `ace.js` injected into every document; the page's axe-core violations are those of
siteaudit's browser stage with its default options, and IBM's results are read with
`new ace.Checker().check(document, ["WCAG_2_2"])`. A case counts as flagged by IBM's
engine when one of its results says "failed" by IBM's own ACT mapping (each rule's `act`
field); by axe-core, as the corpus's scorer counts it, when a violation comes from an
axe-core rule mapped to the case's ACT rule. It also counts what demoting axe-core's
violations to "needs review" would do where IBM's engine passed the same element on a
WCAG criterion of the axe-core rule and failed it on none.

    .venv/bin/python benchmarks/second_engine.py [--ace vendor/.../ace.js] [--rules a,b]
        [--port 8705] [--recommendations]

Static checks are not run here, so the axe-core rows are axe-core's alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audits.core.config import BrowserConfig  # noqa: E402
from audits.stages.browser import AXE_RUNNER, VENDOR_AXE, axe_run_options  # noqa: E402
from audits.stages.browser import parse_axe_results as parse_axe  # noqa: E402
from benchmarks.act import select_cases, serve  # noqa: E402
from rules.analyses.axe_results import VIOLATION  # noqa: E402
from tests.kit.browsers import headless_chrome  # noqa: E402
from tests.kit.realworld import realworld_path  # noqa: E402

ACE = ROOT / "vendor" / "node_modules" / "accessibility-checker-engine" / "ace.js"

# IBM's results on the page, with each rule's ACT mapping and WCAG criteria, and which of
# them are about the elements axe-core flagged (its selectors resolved in the page).
ACE_RUNNER = """
const done = arguments[arguments.length - 1];
const flagged = arguments[0];
const checker = new ace.Checker();
const started = performance.now();
checker.check(document, ['WCAG_2_2']).then((report) => {
  const ms = performance.now() - started;
  const rules = {};
  for (const r of report.results) {
    if (r.ruleId in rules) { continue; }
    const rule = checker.engine.getRule(r.ruleId) || {};
    const wcag = new Set();
    for (const set of rule.rulesets || []) {
      if ([].concat(set.id).includes('WCAG_2_2')) { [].concat(set.num).forEach((n) => wcag.add(n)); }
    }
    rules[r.ruleId] = {act: rule.act || [], wcag: [...wcag]};
  }
  const results = report.results.filter((r) => r.value[1] !== 'PASS').map((r) => ({
    rule: r.ruleId, reason: String(r.reasonId), level: r.value[0], confidence: r.value[1]}));
  const on = flagged.map((target) => {
    let element = null;
    try { element = document.querySelector(target); } catch (e) { /* a frame's selector */ }
    return report.results.filter((r) => element && r.node === element).map((r) => ({
      rule: r.ruleId, confidence: r.value[1]}));
  });
  done({results: results, rules: rules, on: on, ms: ms});
}).catch((e) => done({error: String(e)}));
"""

OUTCOME = {"FAIL": "fail", "POTENTIAL": "cantTell", "MANUAL": "cantTell", "PASS": "pass"}


def act_outcomes(mapping: Any, reason: str, confidence: str) -> dict[str, str]:
    """ACT rule id -> outcome for one IBM result, by the rule's `act` field: a bare id maps
    the result's confidence straight; an object maps reason codes to outcomes."""
    out: dict[str, str] = {}
    for entry in [mapping] if isinstance(mapping, str) else mapping or ():
        if isinstance(entry, str):
            out[entry] = OUTCOME[confidence]
        else:
            for act_rule, reasons in entry.items():
                if reason in reasons:
                    out[act_rule] = reasons[reason]
    return out


def verdict(expected: str, flagged: bool) -> str:
    """TP, FN, FP or TN of one case."""
    if expected == "failed":
        return "TP" if flagged else "FN"
    return "FP" if flagged else "TN"


def summary(verdicts: Iterable[str]) -> dict[str, Any]:
    """Counts, agreement, precision and recall, as the corpus's scorer gives them."""
    c = Counter(verdicts)
    n = sum(c.values())
    found = c["TP"] + c["FP"]
    return {
        **{k: c[k] for k in ("TP", "FN", "FP", "TN")},
        "agree": c["TP"] + c["TN"],
        "agreement": round((c["TP"] + c["TN"]) / n, 3) if n else None,
        "precision": round(c["TP"] / found, 3) if found else None,
        "recall": round(c["TP"] / (c["TP"] + c["FN"]), 3) if c["TP"] + c["FN"] else None,
    }


def check_case(driver: Any, url: str, case: Mapping[str, Any], options: Any, recs: bool) -> dict:
    """One case page: what axe-core flags, what IBM's engine flags, and what survives
    demotion."""
    driver.get(url)
    raw = driver.execute_async_script(AXE_RUNNER, options, 50_000, False)
    mapped = set(case["axe_rules"])
    axe = [
        node
        for node in parse_axe(url, raw if isinstance(raw, dict) else {})
        if node.outcome == VIOLATION and node.rule in mapped
    ]
    ace = driver.execute_async_script(ACE_RUNNER, [node.target for node in axe])
    if "error" in ace:
        raise SystemExit(f"second_engine.py: IBM's engine failed on {url}: {ace['error']}")
    rules = ace["rules"]
    ace_flags = any(
        act_outcomes(rules[r["rule"]]["act"], r["reason"], r["confidence"]).get(case["ruleId"])
        == "fail"
        for r in ace["results"]
        if recs or r["level"] == "VIOLATION"
    )

    def demoted(node: Any, results: list[dict[str, str]]) -> bool:
        shared = [r for r in results if set(rules[r["rule"]]["wcag"]) & set(node.wcag)]
        return bool(shared) and all(r["confidence"] == "PASS" for r in shared)

    kept = [n for n, on in zip(axe, ace["on"], strict=True) if not demoted(n, on)]
    return {"axe": bool(axe), "ace": ace_flags, "demoted": bool(kept), "ms": ace["ms"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ace", type=Path, default=ACE, help="IBM's ace.js")
    parser.add_argument("--rules", default="", help="ACT rule ids, comma-separated (default all)")
    parser.add_argument("--port", type=int, default=8705)
    parser.add_argument(
        "--recommendations", action="store_true", help="count IBM's recommendations too"
    )
    args = parser.parse_args()
    corpus = realworld_path()
    if corpus is None:
        raise SystemExit("second_engine.py: the real-world corpus is not there")
    if not args.ace.is_file():
        raise SystemExit(f"second_engine.py: no {args.ace}; run `make ace`")
    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    key = select_cases(json.loads((corpus / "act" / "answer-key.json").read_text()), rules)
    options = axe_run_options(BrowserConfig())
    rows = []
    server = serve(corpus / "act" / "www", args.port)
    try:
        with headless_chrome() as driver:
            for source in (VENDOR_AXE, args.ace):
                driver.execute_cdp_cmd(
                    "Page.addScriptToEvaluateOnNewDocument",
                    {"source": source.read_text(encoding="utf-8")},
                )
            for case in key["cases"]:
                url = f"http://127.0.0.1:{args.port}{case['local_url_path']}"
                rows.append((case, check_case(driver, url, case, options, args.recommendations)))
    finally:
        server.terminate()
        server.wait()
    table = {
        "axe-core (siteaudit's options)": [verdict(c["expected"], r["axe"]) for c, r in rows],
        "IBM Equal Access alone": [verdict(c["expected"], r["ace"]) for c, r in rows],
        "either": [verdict(c["expected"], r["axe"] or r["ace"]) for c, r in rows],
        "axe-core, demoted where IBM passes": [
            verdict(c["expected"], r["demoted"]) for c, r in rows
        ],
    }
    for name, verdicts in table.items():
        print(f"{name:40s} {json.dumps(summary(verdicts))}")
    for case, r in rows:
        if r["ace"] != r["axe"]:
            kind = verdict(case["expected"], r["ace"])
            print(
                f"  IBM {kind} where axe-core {verdict(case['expected'], r['axe'])}: "
                f"{case['ruleId']} {case['title']}"
            )
    times = sorted(r["ms"] for _, r in rows)
    print(f"IBM's check: median {times[len(times) // 2]:.0f} ms a page")


if __name__ == "__main__":
    main()
