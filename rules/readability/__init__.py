"""Rules about plain English: reading age, words to avoid, passive voice, capitals, long paragraphs, spelling."""
