"""Shipped form definitions (``<id>.v<version>.json``), read by survey_forms.loader.

This file makes the folder a package so that setuptools ships its JSON files in the wheel.
"""
