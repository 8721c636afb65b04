"""Frontends: TFLite flatbuffers and netspecs, each producing the graph IR."""
