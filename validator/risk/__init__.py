"""The self-check risk assessment report (风险评估报告): assess a check result into the
five sections of the inspection guide, then render it as HTML or Markdown."""
