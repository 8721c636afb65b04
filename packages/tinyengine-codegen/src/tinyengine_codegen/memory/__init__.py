"""Memory planning: lifetimes, in-place and view sharing, placement in one arena, validation."""

from tinyengine_codegen.memory.planner import MemoryPlan, plan_memory
from tinyengine_codegen.memory.validate import PlanError, check_plan, validate_plan

__all__ = ["MemoryPlan", "PlanError", "check_plan", "plan_memory", "validate_plan"]
