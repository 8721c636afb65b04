"""TinyNAS as one command: space, supernet, search, fine-tune, export, te-gen build, mcu-bench run."""
