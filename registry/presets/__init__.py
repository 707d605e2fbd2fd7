"""Jurisdiction presets: configuration shipped as data files (one folder per city)."""
