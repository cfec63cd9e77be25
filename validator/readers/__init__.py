"""Per-file fact readers (PDF, XLSX) with hard bounds on time and memory."""
