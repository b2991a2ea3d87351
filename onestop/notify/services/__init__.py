"""Every write of notify: callers import the submodule (``from onestop.notify.services import
sending``)."""
