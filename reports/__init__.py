"""Reports of an audit run: the HTML report for people, and exports for machines.

`write_reports` is the one entry point the CLI needs. It writes the formats asked for
from a prioritised run (the engine prioritises, `audits.stages.prioritise`); the reports only
read the store:

    html    index.html and the folders of rule, page, section and view pages (reports.html)
    json    findings.json, the findings contract (reports.findings_json)
    csv     findings.csv, a row per finding and page (reports.csv_export)
    sarif   findings.sarif, SARIF 2.1.0 (reports.sarif)
    junit   junit.xml, a test case per check (reports.junit)

and, when the site has services (top tasks, online forms), the service scorecard
(reports.services): views/services.html with html, services.json with json,
services.csv with csv.

Every file is replaced atomically. See docs/reports.md.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from audits.stages.prioritise import Comparison, compare, inbound_counts
from reports.csv_export import csv_file
from reports.files import remove_leftovers
from reports.findings_files import FindingsFile, write_findings_files
from reports.findings_json import FindingsJsonWriter, findings_document, findings_json_file
from reports.html import INDEX_HTML, write_html_report
from reports.junit import junit_file
from reports.model import build_model
from reports.pageviews import PageViews, PageViewsError, load_page_views
from reports.rule_docs import rule_docs
from reports.sarif import sarif_file
from reports.services import build_scorecard, write_scorecard_files
from reports.unchanged import Manifest, RowDigests, findings_digest, row_digests

if TYPE_CHECKING:
    from audits.core.config import ReportConfig
    from audits.store import Store
    from rules.base import Rule

FINDINGS_JSON = "findings.json"
FINDINGS_CSV = "findings.csv"
FINDINGS_SARIF = "findings.sarif"
JUNIT_XML = "junit.xml"
FORMATS: tuple[str, ...] = ("html", "json", "csv", "sarif", "junit")
DEFAULT_FORMATS: tuple[str, ...] = ("html", "json")

__all__ = [
    "DEFAULT_FORMATS",
    "FINDINGS_JSON",
    "FORMATS",
    "INDEX_HTML",
    "PageViewsError",
    "parse_formats",
    "write_reports",
]


def parse_formats(text: str) -> tuple[str, ...]:
    """'html,json, csv' -> ('html', 'json', 'csv'); ValueError names any unknown format."""
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise ValueError(
            f"unknown format {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(FORMATS)}, separated by commas"
        )
    return names


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report is built.

    A big run makes millions of small dicts and strings, and every few thousand of them
    the collector walks everything alive: for 200,000 findings it took most of the time
    (SARIF alone went from 4 s to 0.6 s without it). Reports make no cycles worth
    collecting midway; the collector runs again afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_reports(
    store: Store,
    run_id: int,
    out_dir: str | Path,
    rule_classes: Iterable[type[Rule]] | Mapping[str, type[Rule]],
    *,
    config: ReportConfig | None = None,
    formats: Sequence[str] | None = None,
    comparison: Comparison | None = None,
    inbound: Mapping[str, int] | None = None,
) -> dict[str, Path]:
    """Write a run's reports into `out_dir` (created if needed); returns {format: path}.

    `rule_classes` documents the checks (for example `audits.rule_engine.available_rules()`,
    a dict by id, or any iterable of rule classes). `formats` defaults to the config's,
    else html and json. The run must have been prioritised (`audits.stages.prioritise`);
    `comparison` and `inbound` save reading again what that stage read.
    Raises PageViewsError when the configured page views file cannot be used.
    """
    with _without_gc():
        return _write_reports(
            store, run_id, Path(out_dir), rule_classes, config, formats, comparison, inbound
        )


def _write_reports(
    store: Store,
    run_id: int,
    out: Path,
    rule_classes: Iterable[type[Rule]] | Mapping[str, type[Rule]],
    config: ReportConfig | None,
    formats: Sequence[str] | None,
    comparison: Comparison | None,
    inbound: Mapping[str, int] | None,
) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)  # of a writer killed midway: they would pile up otherwise
    chosen = tuple(formats or (config.formats if config is not None else DEFAULT_FORMATS))
    start_url = store.run(run_id).start_url
    views: PageViews | None = None
    if config is not None and config.page_views:
        views = load_page_views(config.page_views, start_url)
    # Read once, used by findings.json and the HTML report alike.
    if comparison is None:
        comparison = compare(store, run_id)
    if inbound is None:
        inbound = inbound_counts(store, run_id)

    # Findings are read from the store as each writer goes through them, one at a time.
    data = findings_document(store, run_id, comparison)
    docs = rule_docs(rule_classes)
    titles = {doc["id"]: doc["title"] for doc in docs}
    outputs: dict[str, Path] = {}
    scorecard = None
    if {"html", "json", "csv"} & set(chosen):
        scorecard = build_scorecard(
            store,
            run_id,
            sections_config=config.sections if config is not None else None,
            page_views=views,
        )
    model = None
    digests: RowDigests | None = None
    manifest: Manifest | None = None
    kept_lists: tuple[Path, int, int] | None = None
    lists_digest = None
    if "html" in chosen:
        model = build_model(
            store,
            data,
            docs,
            sections_config=config.sections if config is not None else None,
            page_views=views,
            formats=chosen,
            comparison=comparison,
            inbound=inbound,
        )
        # Before findings.json: it may copy its lists from the last one (reports.unchanged).
        digests = row_digests(store, run_id, model)
        manifest = Manifest(out)
        if "json" in chosen and digests is not None:
            lists_digest = findings_digest(digests, len(model.rows))
            span = manifest.kept_part(FINDINGS_JSON, lists_digest)
            if span is not None:
                kept_lists = (out / FINDINGS_JSON, *span)
    json_writers: list[FindingsJsonWriter] = []

    def findings_files(kept: tuple[Path, int, int] | None) -> dict[str, FindingsFile]:
        json_writers.clear()
        files = {
            "json": findings_json_file(data, out / FINDINGS_JSON, kept, json_writers),
            "csv": csv_file(titles, out / FINDINGS_CSV),
            "sarif": sarif_file(data, docs, out / FINDINGS_SARIF),
            "junit": junit_file(data, docs, out / JUNIT_XML),
        }
        return {name: file for name, file in files.items() if name in chosen}

    # One pass over the findings feeds every findings file.
    streamed = findings_files(kept_lists)
    try:
        write_findings_files(data, list(streamed.values()))
    except OSError:
        if kept_lists is None:
            raise
        # The old findings.json went or changed while it was copied from: from the store.
        streamed = findings_files(None)
        write_findings_files(data, list(streamed.values()))
    if lists_digest is not None and manifest is not None:
        span_written = json_writers[0].lists_span if json_writers else None
        if span_written is not None:
            manifest.wrote_part(FINDINGS_JSON, lists_digest, span_written)
    for name in ("json", "csv"):
        if name in streamed:
            outputs[name] = streamed[name].path
    if scorecard is not None:
        outputs.update(write_scorecard_files(scorecard, out, chosen))
    for name in ("sarif", "junit"):
        if name in streamed:
            outputs[name] = streamed[name].path
    if model is not None:
        outputs["html"] = write_html_report(
            model, out, scorecard, store, digests=digests, manifest=manifest
        )
    return outputs
