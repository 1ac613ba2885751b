"""Rules about out-of-date content: stale pages, closing dates and financial years that have passed."""
