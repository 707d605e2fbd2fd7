"""Inspections: planning, visits on a phone, checklists, violations, minutes, follow-ups and the risk queue."""
