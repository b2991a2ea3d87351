"""C9 Performance: how the council does against every promise it publishes."""
