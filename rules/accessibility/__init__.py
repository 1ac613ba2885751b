"""Rules about accessibility: the page's own markup (alt text, title, language, headings, link text, documents) and axe-core's results from the browser stage."""
