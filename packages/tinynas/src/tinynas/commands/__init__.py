"""The ``tinynas`` sub-commands, one module each; :mod:`tinynas.cli` assembles them."""
