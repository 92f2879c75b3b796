"""The registry spreadsheet (shared/design/registry-template.md): reading, columns and rows,
planning the difference to the registry, applying it set-based, and exporting."""
