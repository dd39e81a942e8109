"""Shim for Beam's ``--setup_file=./setup.py`` (Dataflow and portable runners stage the project
as an sdist built from here). Everything is declared in pyproject.toml; this file adds nothing."""

from setuptools import setup

setup()
