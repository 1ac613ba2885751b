"""Rules about online forms: how many clicks they are from the home page, whether they work, and the forms inventory."""
