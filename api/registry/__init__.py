"""The register: regions, baseline households and members, rounds and assignments."""
