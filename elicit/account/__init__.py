"""Account pages: personal API tokens."""
