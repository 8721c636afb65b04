"""Evolutionary search over a trained supernet under SRAM, Flash and optional latency constraints.

Modules: ``evolution`` (genetic operators), ``constraints`` (te-gen pricing, latency table),
``evaluator`` (BN recalibration + accuracy), ``run`` (the loop), ``outputs`` (files, plot),
``driver`` (what the command does), ``cli`` (``tinynas search``).
"""
