"""Spec files: loading (with `extends`), validation with file:line:col, the typed model."""

from validator.spec.loader import builtin_dir, builtin_ids, load_spec, locate
from validator.spec.model import DocumentSpec, Spec
from validator.spec.yamlmarks import SpecError

__all__ = ["DocumentSpec", "Spec", "SpecError", "builtin_dir", "builtin_ids", "load_spec", "locate"]
