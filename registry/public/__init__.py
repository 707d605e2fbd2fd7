"""The public site: licence verification by QR code, the public register and open data (no sign-in)."""
