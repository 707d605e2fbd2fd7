"""Cross-cutting helpers: permissions, audit, text, formatting. Imports no feature package."""
