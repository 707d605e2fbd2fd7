"""Licence types, applications, eligibility rules, fees, decisions and the licence lifecycle."""
