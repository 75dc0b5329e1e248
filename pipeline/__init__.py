"""jiekun (解困): the quarterly dispatch pipeline for 青山湖区's urban poor-relief plan."""
__version__ = "0.2.0"

from .dispatch import CheckResult, RunResult, check, run
from .errors import StopRun
from .merge import RollupResult, rollup
from .period import Period

__all__ = ["run", "check", "rollup", "RunResult", "CheckResult", "RollupResult", "StopRun", "Period"]
