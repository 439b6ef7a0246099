"""Outputs for the offices: village minutes (PDF), register exports (CSV/XLSX), GeoJSON of
visits and progress figures. Read-only over the register, visits and review decisions."""
