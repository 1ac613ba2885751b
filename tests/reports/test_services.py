"""The service scorecard: the digital-first formula, and a scorecard built from two real
audits of a served council site (views/services.html, services.json, services.csv)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reports.services import (
    FORMULA,
    ScoreInputs,
    accessibility_text,
    digital_first_score,
    load_schema,
    online_option_works,
    service_candidates,
)
from tests.kit.cli import run_cli
from tests.kit.findings import url_path
from tests.kit.siteserver import RequestInfo, Response, SiteServer

# -- the formula ----------------------------------------------------------------------------

GOOD = ScoreInputs(
    found=True,
    clicks=1,
    max_clicks=3,
    contact_first=False,
    works=True,
    accessibility="none",
    reading_age=8.0,
    reading_target=9,
)


@pytest.mark.parametrize(
    ("changes", "score"),
    [
        ({}, 100),
        ({"clicks": 3}, 100),  # at the limit
        ({"clicks": 4}, 90),
        ({"clicks": 5}, 80),
        ({"clicks": 9}, 65),  # 6 over: at most 35
        ({"clicks": None}, 65),  # no link path
        ({"contact_first": True}, 80),
        ({"works": False}, 80),
        ({"works": None}, 100),  # not requested: nothing known against it
        ({"accessibility": "critical"}, 85),
        ({"accessibility": "high"}, 85),
        ({"accessibility": "medium"}, 92),
        ({"accessibility": "low"}, 100),
        ({"accessibility": None}, 100),  # not checked
        ({"reading_age": 9.0}, 100),
        ({"reading_age": 9.4}, 95),  # part of a year over counts as a year
        ({"reading_age": 11.0}, 90),
        ({"reading_age": 16.0}, 90),  # at most 10
        ({"reading_age": None}, 100),  # not scored
        ({"found": False}, 0),
        (
            {"clicks": None, "contact_first": True, "works": False, "accessibility": "high",
             "reading_age": 14.0},
            0,
        ),
    ],
)  # fmt: skip
def test_the_digital_first_score_takes_off_each_part_of_the_formula(
    changes: dict[str, Any], score: int
) -> None:
    inputs = dataclasses.replace(GOOD, **changes)
    result, deductions = digital_first_score(inputs)
    assert result == score
    assert max(0, 100 - sum(points for _, points in deductions)) == score


def test_every_part_of_the_formula_adds_up_to_100() -> None:
    assert sum(points for _, points, _ in FORMULA) == 100


def test_services_come_from_top_tasks_then_forms_that_are_no_task_s_target() -> None:
    def row(rule: str, evidence: dict[str, Any]) -> tuple[Any, ...]:
        return (rule, "forms", "info", "u", None, "m", json.dumps(evidence), "f", 4, 0.0)

    home = {"url": "https://x.example/", "title": "Home"}
    rows = [
        row("form-inventory", {"form_url": "https://x.example/f", "title": "F", "path": [home]}),
        row("form-inventory", {"form_url": "https://x.example/g", "title": "G", "orphaned": True,
                               "click_depth": 2}),
        row("top-task-too-deep", {"task": "T", "target": "https://x.example/f", "clicks": 0,
                                  "max_clicks": 0, "path": [home, "not a step"]}),
    ]  # fmt: skip
    found = [(c.key, c.clicks, c.max_clicks, len(c.path)) for c in service_candidates(rows)]
    assert found == [("task:T", 0, 0, 1), ("form:https://x.example/g", None, 3, 0)]


@pytest.mark.parametrize(
    ("status", "error", "works"),
    [
        (200, None, True),
        (302, None, True),
        (404, None, False),
        (500, None, False),
        (None, "no answer within 15 s", False),
        (None, "forbidden by robots.txt", None),
        (None, "not checked: a private network address", None),
        (None, None, None),
    ],
)
def test_the_online_option_works_unless_it_answered_an_error_or_nothing(
    status: int | None, error: str | None, works: bool | None
) -> None:
    from rules.site import TargetStatus

    url = "https://forms.example/apply"
    assert online_option_works(TargetStatus(url, status, error, url, internal=False)) is works
    assert online_option_works(None) is None


def test_accessibility_reads_not_checked_or_the_worst_problem() -> None:
    assert accessibility_text({"checked": False, "problems": 2, "worst": None}) == "not checked"
    assert accessibility_text({"checked": True, "problems": 0, "worst": "none"}) == "no problems"
    assert (
        accessibility_text({"checked": True, "problems": 2, "worst": "high"})
        == "2 problems, worst high"
    )


def _apply_form(form: str) -> dict[str, Any]:
    """The inventory row of an online form one click from the home page."""
    from tests.kit.synthetic_runs import START, finding_row

    return finding_row(
        "form-inventory",
        form,
        category="forms",
        severity="info",
        evidence={"form_url": form, "title": "Apply", "click_depth": 1,
                  "path": [{"url": START, "title": "Home"}, {"url": form, "title": "Apply"}]},
    )  # fmt: skip


def test_accessibility_counts_problems_shared_with_the_form_page_once_it_was_checked(
    tmp_path: Path,
) -> None:
    from audits.core.coverage import BROWSER, SKIPPED, StageOutcome, record_stage
    from audits.store import Store
    from reports.services import build_scorecard
    from tests.kit.synthetic_runs import START, add_run, finding_row

    form, other = START + "forms/apply/", START + "about/"
    inventory = _apply_form(form)
    template = finding_row(
        "axe-color-contrast", other, category="accessibility", pages=[other, form]
    )
    store = Store(str(tmp_path / "audit.db"))
    pages = [START, form, other]
    checked = add_run(store, [inventory, template], pages=pages)
    store.add_browser_result(
        checked, form, content_hash=None, axe_version="4", axe_options="", error=None,
        elapsed_ms=1, nodes=[],
    )  # fmt: skip
    skipped: dict[str, Any] = {}
    record_stage(skipped, BROWSER, StageOutcome(SKIPPED, "no Chromium"))
    unchecked = add_run(store, [inventory, template], pages=pages, stats=skipped)

    [service] = build_scorecard(store, checked).services
    assert service.accessibility == {"checked": True, "problems": 1, "worst": "high"}
    assert (service.score, service.problem_pages) == (85, [form])
    [service] = build_scorecard(store, unchecked).services
    assert service.accessibility["checked"] is False
    assert service.score == 100
    assert [point["score"] for point in service.trend] == [85, 100]
    store.close()


def test_the_trend_reads_the_scores_kept_with_earlier_runs_unless_they_were_pruned(
    tmp_path: Path,
) -> None:
    from audits.stages.report import keep_service_scores
    from audits.store import PRUNED_STAT, Store
    from reports.services import SCORES_KEY, build_scorecard
    from tests.kit.synthetic_runs import START, add_run, finding_row

    form = START + "forms/apply/"
    inventory = _apply_form(form)
    contact = finding_row("phone-before-online", form, category="channel-shift")
    store = Store(str(tmp_path / "audit.db"))
    first = add_run(store, [inventory, contact], pages=[START, form])
    second = add_run(store, [inventory], pages=[START, form])
    worked_out = [point["score"] for point in build_scorecard(store, second).services[0].trend]
    assert worked_out[0] < worked_out[1]  # the contact page came first, then went

    keep_service_scores(store, second)
    kept = next(r for r in store.runs() if r.id == first).stats[SCORES_KEY]
    assert [score for _, score in kept["scores"]] == worked_out[:1]
    assert SCORES_KEY not in next(r for r in store.runs() if r.id == second).stats
    assert [p["score"] for p in build_scorecard(store, second).services[0].trend] == worked_out
    # What is kept is what the trend reads ...
    store.set_stat(first, SCORES_KEY, {**kept, "scores": [[kept["scores"][0][0], 42]]})
    assert build_scorecard(store, second).services[0].trend[0]["score"] == 42
    # ... until the run is pruned: then what is left of it counts, as before.
    store.set_stat(first, PRUNED_STAT, {})
    assert [p["score"] for p in build_scorecard(store, second).services[0].trend] == worked_out
    store.close()


# -- a real audit ---------------------------------------------------------------------------

HOSTILE = "=HYPERLINK(\"x\") <script>alert('form')</script>"
EASY = " ".join(["We collect your bins every week. Put them out by seven in the morning."] * 12)
FORM = (
    "<form method='post' action='/send'><label for='a'>Postcode</label><input id='a' "
    "name='postcode'><label for='b'>Details</label><textarea id='b' name='details'></textarea>"
    "<button>Send</button></form>"
)


def page(title: str, main: str, escape_title: bool = True) -> Response:
    shown = title.replace("&", "&amp;").replace("<", "&lt;") if escape_title else title
    return Response.html(
        f"<html lang='en'><head><title>{shown}</title></head><body><main><h1>{shown}</h1>"
        f"{main}</main></body></html>"
    )


def links(*pairs: tuple[str, str]) -> str:
    return "".join(f"<p><a href='{href}'>{text}</a></p>" for href, text in pairs)


def routes(state: dict[str, bool]) -> dict[str, Any]:
    def bulky(_: RequestInfo) -> Response:
        online = "<p>You can <a href='/forms/bulky/'>book a collection online</a>.</p>"
        phone = "<p>To book, call 0113 496 0124.</p>"
        # The first audit puts the phone number first; the second has it mended.
        body = phone + online if not state["mended"] else online + phone
        return page("Bulky waste", f"<p>We collect sofas and fridges.</p>{body}")

    return {
        "/": lambda r: page(
            "Northbrook Council",
            links(
                ("/bins/", "Bins"),
                ("/forms/missed-bin/", "Report a missed bin"),
                ("/council-tax/", "Council tax"),
            ),
        ),
        "/bins/": lambda r: page(
            "Bins",
            links(
                ("/bins/missed/", "Missed bins"),
                ("/bins/bulky/", "Bulky waste"),
                ("/forms/odd/", "An odd form"),
            ),
        ),
        "/bins/missed/": lambda r: page(
            "Missed bins",
            f"<p>{EASY}</p>" + links(("/forms/missed-bin/", "Report a missed bin online")),
        ),
        "/bins/bulky/": bulky,
        "/council-tax/": lambda r: page(
            "Council tax", links(("/council-tax/more/", "More"), ("/forms/discount/", "Discounts"))
        ),
        "/council-tax/more/": lambda r: page(
            "More", links(("/council-tax/more/still/", "Still more"))
        ),
        "/council-tax/more/still/": lambda r: page(
            "Still more", links(("/forms/single-person/", "Apply for a discount"))
        ),
        "/forms/missed-bin/": lambda r: page("Report a missed bin", FORM),
        "/forms/bulky/": lambda r: page("Book a bulky waste collection", FORM),
        "/forms/odd/": lambda r: page(HOSTILE, FORM),
        "/forms/single-person/": lambda r: page("Single person discount", FORM),
        "/forms/discount/": lambda r: Response(status=500),
    }


CONFIG = """
[crawl]
check_external = false

[report]
page_views = "views.csv"

[report.sections]
"/bins/" = "Waste team"

[[top_tasks]]
name = "Report a missed bin"
url = "/forms/missed-bin/"
max_clicks = 2

[[top_tasks]]
name = "Apply for a council tax discount"
url = "/forms/discount/"
max_clicks = 2

[[top_tasks]]
name = "Apply for a parking permit"
pattern = "parking-permit"
"""
VIEWS = "Page path,Views\n/forms/missed-bin/,1200\n/bins/bulky/,300\n/forms/bulky/,45\n"


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("services")
    config = out / "siteaudit.toml"
    config.write_text(CONFIG)
    (out / "views.csv").write_text(VIEWS)
    state = {"mended": False}
    args = ("--out", out / "report", "--config", config, "--page-workers", "0", "--quiet")
    with SiteServer(routes=routes(state)) as site:
        first = run_cli("audit", f"{site.url}/", *args, "--format", "json")
        assert first.returncode == 0, first.stderr
        state["mended"] = True
        second = run_cli("audit", f"{site.url}/", *args, "--format", "html,json,csv")
        assert second.returncode == 0, second.stderr
    report = out / "report"
    document = json.loads((report / "services.json").read_text(encoding="utf-8"))
    return {
        "out": report,
        "document": document,
        "services": {s["name"]: s for s in document["services"]},
    }


@pytest.mark.slow
def test_every_top_task_and_online_form_is_one_row(audited: dict[str, Any]) -> None:
    assert sorted(audited["services"]) == sorted(
        [
            "Report a missed bin",  # a task and a form: one row, as the task
            "Apply for a council tax discount",
            "Apply for a parking permit",
            "Book a bulky waste collection",
            "Single person discount",
            HOSTILE,
        ]
    )
    kinds = {name: s["kind"] for name, s in audited["services"].items()}
    assert kinds["Report a missed bin"] == "top task"
    assert kinds["Book a bulky waste collection"] == "online form"


@pytest.mark.slow
def test_rows_carry_clicks_path_contact_status_reading_age_and_views(
    audited: dict[str, Any],
) -> None:
    services = audited["services"]
    missed = services["Report a missed bin"]
    assert (missed["clicks"], missed["max_clicks"]) == (1, 2)
    assert [url_path(s["url"]) for s in missed["path"]] == ["/", "/forms/missed-bin/"]
    assert missed["section"] == "Waste team"  # offered by /bins/missed/
    assert missed["status"] == 200 and missed["works"] is True
    assert missed["reading_age"] is not None and missed["reading_age"] <= 9  # recorded anyway
    assert url_path(missed["reading_age_page"]) == "/bins/missed/"
    assert missed["page_views"] == 1200
    assert missed["score"] == 100

    deep = services["Single person discount"]
    assert deep["clicks"] == 4 and deep["score"] == 90
    assert deep["section"] == "/council-tax"

    broken = services["Apply for a council tax discount"]
    assert (broken["status"], broken["works"], broken["score"]) == (500, False, 80)

    assert services["Apply for a parking permit"]["target"] is None
    assert services["Apply for a parking permit"]["score"] == 0

    for service in services.values():  # the browser stage did not run
        assert service["accessibility"]["checked"] is False
    assert audited["document"]["accessibility_checked"] is False


@pytest.mark.slow
def test_the_trend_follows_each_service_across_runs(audited: dict[str, Any]) -> None:
    bulky = audited["services"]["Book a bulky waste collection"]
    assert [point["score"] for point in bulky["trend"]] == [80, 100]  # the phone came first
    assert bulky["contact_before_online"] == []
    assert bulky["page_views"] == 45
    assert len(audited["services"]["Report a missed bin"]["trend"]) == 2


@pytest.mark.slow
def test_services_json_follows_its_schema(audited: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(load_schema()).validate(audited["document"])


@pytest.mark.slow
def test_services_csv_round_trips_and_is_formula_safe(audited: dict[str, Any]) -> None:
    raw = (audited["out"] / "services.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["service"], int(r["score"]), r["section"]) for r in rows] == [
        (s["name"] if not s["name"].startswith("=") else "'" + s["name"], s["score"], s["section"])
        for s in audited["document"]["services"]
    ]
    assert {r["service"] for r in rows} >= {"'" + HOSTILE}


@pytest.mark.slow
def test_the_scorecard_page_escapes_what_came_from_crawled_pages(audited: dict[str, Any]) -> None:
    html = (audited["out"] / "views" / "services.html").read_text(encoding="utf-8")
    assert "<script>alert('form')</script>" not in html
    assert "&lt;script&gt;alert(&#39;form&#39;)&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # the report's own
    for part, _, _ in FORMULA:
        assert f'<th scope="row">{part}</th>' in html  # the formula is on the page
    assert "data-sortable" in html
    index = (audited["out"] / "index.html").read_text(encoding="utf-8")
    assert 'href="views/services.html"' in index
