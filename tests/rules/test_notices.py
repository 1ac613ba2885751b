"""Withdrawn, archived and historical notices as GOV.UK and councils write them, and prose
that only mentions withdrawal or archives."""

from __future__ import annotations

import pytest

from rules.analyses.notices import find_notice
from rules.page import Page


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        ("Guidance", "<h2>This detailed guide was withdrawn on 28 January 2015</h2>", "withdrawn"),
        ("Guidance", "<p>Withdrawn: 3 March 2019</p>", "withdrawn"),
        ("ARCHIVED: Bin days 2019", "<p>Text.</p>", "archived"),
        ("Bin days (archived)", "<p>Text.</p>", "archived"),
        ("News", "<div><p>This is an archived news story.</p></div>", "archived"),
        ("News", "<p>This page has been archived.</p>", "archived"),
        ("Plan", "<p>This information is no longer updated.</p>", "historical"),
        ("Plan", "<p>This page is provided for historical reference only.</p>", "historical"),
        ("Plan", "<p>Historical document</p>", "historical"),
        ("Buses", "<p>The number 42 bus service has been withdrawn.</p>", None),
        ("Buses", "<p>Services withdrawn in 2019 are listed below.</p>", None),
        (
            "History",
            "<p>This historic building was archived in 1990 photographs, "
            + "and " * 40
            + "more.</p>",
            None,
        ),
        ("Archive services", "<p>Our archive is open on Tuesdays.</p>", None),
    ],
)
def test_withdrawn_archived_and_historical_notices(title: str, body: str, kind: str | None) -> None:
    html = f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}<p>Text.</p></main></body></html>"
    notice = find_notice(Page(url="https://council.example/x", html=html))
    assert (notice.kind if notice else None) == kind
