"""te-gen's commands, one module each: inspect, profile, build, verify."""
