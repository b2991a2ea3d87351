"""Every write of notify, one module per job: callers import the submodule
(``from onestop.notify.services import compose``); nothing is re-exported here."""
