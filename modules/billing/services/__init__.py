"""Every change of billing state, one function each (see the modules of this package)."""
