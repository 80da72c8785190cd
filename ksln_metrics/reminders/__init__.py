"""Reminders before a deadline (issue 13): contacts, the reporting calendar, letters and e-mail."""
