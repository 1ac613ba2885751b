"""form-page-broken: links to an online form that end in an error instead of the form."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.forms import (
    FormLinkOptions,
    compile_online_text,
    host_matches,
    path_matches,
)
from rules.analyses.link_verdicts import (
    Verdict,
    failing_targets,
    last_segment,
    site_verdict,
    verdict,
)
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import LinkRow, Site

_FAILED = frozenset({Verdict.BROKEN, Verdict.SERVER_ERROR, Verdict.TIMED_OUT})


class FormPageBroken(SiteRule):
    """Report links to online forms (form pages, form platforms) whose target fails."""

    id = "form-page-broken"
    title = "Link to an online form is broken"
    category = Category.FORMS
    severity = Severity.HIGH
    summary = (
        "Checks every link that leads to an online form (a form platform, an address such "
        "as /forms/... or /apply-for-..., or link text such as 'Report it online') and "
        "reports those whose target answers with an error, such as 404 Not Found or a "
        "server error, or does not answer at all."
    )
    why = (
        "A resident who clicks 'Apply online' and gets an error page cannot do the task "
        "online, and will phone, email or visit instead. That is the costliest outcome for "
        "the council and the most frustrating one for the resident. A broken form also "
        "teaches people that the online option does not work."
    )
    how_to_fix = (
        "Open the link on each page listed. If the form has moved, change the link to its "
        "new address. If the form platform is down, ask its supplier or your web team to "
        "fix it and check again. If the form has been withdrawn, remove the link and say "
        "what people should do instead."
    )
    references = (
        "https://www.gov.uk/service-manual/technology/uptime-and-availability",
        "https://www.gov.uk/guidance/content-design/links",
    )

    @dataclass(frozen=True)
    class Options(FormLinkOptions):
        """Options of form-page-broken."""

    def leads_to_form(self, row: LinkRow) -> bool:
        """Whether a link, by its target or its words, promises an online form."""
        if not row.url.startswith(("http://", "https://")):
            return False
        return (
            host_matches(row.url, self.options.form_hosts)
            or path_matches(row.url, self.options.form_paths)
            or bool(compile_online_text(self.options.online_text).search(row.text))
        )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per failing form target, listing every page that links to it."""
        targets = failing_targets(
            site,
            ("a", "area"),
            lambda s: site_verdict(site, s) in _FAILED,
            lambda row: row.region != "document" and self.leads_to_form(row),
        )
        for url in sorted(targets):
            target = targets[url]
            status = target.status
            answer = (
                f"the server answered {status.status}"
                if status.status is not None
                else (status.error or "there was no answer")
            )
            label = target.link_text or last_segment(url)
            pages = target.pages
            yield self.finding(
                pages[0],
                f'The link to the online form "{label}" is broken: {answer}',
                target=url,
                selector=next((r.selector for r in target.rows if r.source == pages[0]), None),
                evidence={
                    "status": status.status,
                    "error": status.error,
                    "verdict": verdict(status).value,
                    "final_url": status.final_url,
                    "link_text": target.link_text,
                    "places": target.places(),
                },
                pages=pages,
            )
