"""The demo study shipped with elicit (content in strategic_flexibility.json)."""
