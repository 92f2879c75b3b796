"""What every app of the portal may import, below all of them: Django and the standard library
only, no models, not an installed app. Today: the one error type for business-rule failures
(core.errors). Anything here must make sense without knowing the park's domain apps."""
