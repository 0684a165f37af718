"""Results: the documented Dataset schema, its construction and file I/O."""

from energysim.results.schema import ANNUAL_FIGURES, VARIABLES, validate_results

__all__ = ["ANNUAL_FIGURES", "VARIABLES", "validate_results"]
