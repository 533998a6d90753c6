"""Split by concept: reports (periods and drafts), reminders (e-mails about reports), plan (the
verksamhetsplan and its indicators) and arsredovisning. Status changes go through the workflow
engine (`uppfoljning.workflow`)."""
