"""Reference data configured per city: administrative units, sports catalogue."""
