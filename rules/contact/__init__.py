"""Rules about contact details: phone numbers that are inconsistent, unapproved or offered before the online option, and the contacts inventory."""
