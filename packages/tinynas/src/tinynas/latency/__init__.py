"""Per-layer latency tables for a board (measured through te-gen and mcu-bench), summed per candidate."""
