"""The register of venues and their operators."""
