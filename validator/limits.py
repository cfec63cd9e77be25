"""Default bounds of a run, in one light module (the CLI shows them in --help without loading
what enforces them)."""

#: Seconds a file's content parse (PDF, workbook) may take before its worker is killed and the
#: file reported (the engine's per-file deadline, see validator.checks.content).  A 5,000-row
#: roster or a 500-page scan takes well under a second; a file that needs more is built to stall
#: a parser, or the machine is badly overloaded.
DEFAULT_FILE_TIMEOUT = 20.0
