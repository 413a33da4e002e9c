"""Measure how often state 'warnings' of staged chemical attacks came true, for the campaign a data folder declares.

The flow runs one way: ledgers (data/) -> validated frames (load) -> verdicts (match, under the
declared rules) -> metrics (stats) -> key numbers, figures and report. See README.md.
"""

__version__ = "0.1.0"
