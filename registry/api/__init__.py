"""The registry's REST API: thin views over registry.selectors, registry.services and
registry.access, the same rules as the pages (docs/CHANGELOG.md, "API")."""
