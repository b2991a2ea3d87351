"""C9's pages: thin, each parses, checks access, reads through ``queries`` and renders."""
