"""Every write of the notify app, one module per concern (callers import the submodule)."""
