"""Domain operations shared by views, the API and the CLI."""
