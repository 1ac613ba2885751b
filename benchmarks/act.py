"""Benchmark: siteaudit against the W3C ACT rules test cases, scored by their expected outcomes.

The 802 test-case pages of the 50 ACT rules that axe-core implements are kept beside the
project (`../shared/realworld/act`, see its README; never copied in). They are served on
127.0.0.1 with Python's static server (as UTF-8), audited with `siteaudit audit --urls` and the
corpus's `loopback.toml` (nothing leaves the machine), and scored with the corpus's own
`score_act.py`: a case counts as flagged when an `axe-violation` on its page comes from an
axe-core rule mapped to the case's ACT rule, or one of the static checks it names.

    .venv/bin/python benchmarks/act.py [--rules 674b10,cc0f0a,...] [--config extra.toml]
        [--port 8704] [--keep DIR] [-v] [--json]

`--rules` audits only the cases of those ACT rules (ids as in the answer key), for quick
work on a few rules; the figures are then for those cases alone. `--config` adds a TOML file
of ours on top of `loopback.toml` (its tables are merged, its keys win). The full run
costs a few minutes of two browsers' CPU.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.kit.realworld import realworld_path  # noqa: E402

PUBLISHED = "axe-core 4.10.2 as published by Deque"


def select_cases(key: Mapping[str, Any], rules: Sequence[str]) -> dict[str, Any]:
    """The answer key cut down to the cases of `rules` (all of them when empty)."""
    if not rules:
        return dict(key)
    unknown = sorted(set(rules) - set(key["rules"]))
    if unknown:
        raise SystemExit(f"act.py: no ACT rule {', '.join(unknown)} in the answer key")
    cases = [c for c in key["cases"] if c["ruleId"] in rules]
    return {
        **key,
        "rules": {r: v for r, v in key["rules"].items() if r in rules},
        "cases": cases,
        "n_cases": len(cases),
    }


def merged_config(base: Path, extra: Path | None) -> str:
    """loopback.toml with `extra`'s tables merged in, as TOML text."""
    config = tomllib.loads(base.read_text(encoding="utf-8"))
    if extra is not None:
        for table, values in tomllib.loads(extra.read_text(encoding="utf-8")).items():
            _merge(config.setdefault(table, {}), values)
    return "".join(_toml_table(name, values) for name, values in config.items())


def _merge(into: dict[str, Any], values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if isinstance(value, Mapping) and isinstance(into.get(name), dict):
            _merge(into[name], value)
        else:
            into[name] = value


def _toml_table(name: str, values: Mapping[str, Any]) -> str:
    """One table and its sub-tables; values are strings, numbers, booleans and lists of
    them, which JSON writes as valid TOML."""
    plain = {k: v for k, v in values.items() if not isinstance(v, Mapping)}
    text = f"[{name}]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in plain.items())
    for sub, inner in values.items():
        if isinstance(inner, Mapping):
            text += _toml_table(f"{name}.{json.dumps(sub)}", inner)
    return text


# Python's static server, saying the pages are UTF-8 as w3.org does: the cases carry no
# <meta charset>, and read as windows-1252 an ellipsis (U+2026) becomes "â€¦", letters no
# accessible name holds.
_UTF8_SERVER = """
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      '.html': 'text/html; charset=utf-8'}
    def log_message(self, *args): pass
handler = functools.partial(Handler, directory=sys.argv[2])
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), handler).serve_forever()
"""


def serve(www: Path, port: int) -> subprocess.Popen[bytes]:
    """A static server of the cases on 127.0.0.1:port, once it answers."""
    server = subprocess.Popen(
        [sys.executable, "-c", _UTF8_SERVER, str(port), str(www)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while server.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return server
        except OSError:
            time.sleep(0.1)  # not listening yet
    server.kill()
    raise SystemExit(f"act.py: the static server did not start on port {port}")


def audit_and_score(
    rules: Sequence[str] = (),
    extra_config: Path | None = None,
    port: int = 8704,
    out: Path | None = None,
    verbose: bool = False,
) -> tuple[dict[str, Any], str]:
    """Audit the cases and score them: (score_act.py's JSON summary, its text report)."""
    corpus = realworld_path()
    if corpus is None:
        raise SystemExit("act.py: the real-world corpus is not there: set SITEAUDIT_REALWORLD")
    key = select_cases(json.loads((corpus / "act" / "answer-key.json").read_text()), rules)
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="siteaudit-act-") as tmp:
        work = Path(tmp)
        out = out or work / "out"
        (work / "key.json").write_text(json.dumps(key))
        (work / "urls.txt").write_text(
            "".join(base + c["local_url_path"] + "\n" for c in key["cases"])
        )
        (work / "config.toml").write_text(merged_config(corpus / "loopback.toml", extra_config))
        server = serve(corpus / "act" / "www", port)
        try:
            subprocess.run(
                [
                    *(str(ROOT / ".venv" / "bin" / "siteaudit"), "audit", base + "/"),
                    *("--config", str(work / "config.toml"), "--urls", str(work / "urls.txt")),
                    *("--out", str(out), "--format", "json", "--quiet"),
                ],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        finally:
            server.terminate()
            server.wait()
        score = [
            sys.executable,
            str(corpus / "score_act.py"),
            str(out),
            "--key",
            str(work / "key.json"),
        ]
        summary = json.loads(_output([*score, "--json"]))
        report = _output([*score, *(["-v"] if verbose else [])])
    return summary, report


def _output(command: Sequence[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"act.py: {' '.join(command[:2])} failed: {done.stderr.strip()[:300]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", default="", help="ACT rule ids, comma-separated (default all)")
    parser.add_argument("--config", type=Path, help="TOML added on top of loopback.toml")
    parser.add_argument("--port", type=int, default=8704)
    parser.add_argument("--keep", type=Path, help="write the audit's report folder here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every disagreement")
    parser.add_argument("--json", action="store_true", help="print one JSON summary line")
    args = parser.parse_args()
    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    started = time.monotonic()
    summary, report = audit_and_score(rules, args.config, args.port, args.keep, args.verbose)
    if args.json:
        print(json.dumps(summary))
        return
    print(report, end="")
    print(
        f"agreement {summary['agreement']} ({summary['agree']}/{summary['n']}), precision "
        f"{summary['precision']}, recall {summary['recall']}; "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
