"""Accounts, roles, sign-in and user administration."""
