"""Submission package validator: check a folder of licence materials against a spec."""

__version__ = "0.2.0"
