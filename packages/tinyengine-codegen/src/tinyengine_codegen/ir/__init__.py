"""The graph IR shared by te-gen's frontends, passes, memory planner and backends."""

from tinyengine_codegen.ir.graph import Graph, Operator, Quantization, Tensor

__all__ = ["Graph", "Operator", "Quantization", "Tensor"]
