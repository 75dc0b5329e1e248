"""jiekun (解困): the quarterly dispatch pipeline for 青山湖区's urban poor-relief plan."""
from .dispatch import CheckResult, RunResult, check, run
from .errors import StopRun
from .merge import RollupResult, rollup
from .period import Period

__all__ = ["run", "check", "rollup", "RunResult", "CheckResult", "RollupResult", "StopRun", "Period"]
__version__ = "0.1.0"
