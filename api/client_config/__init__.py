"""What the PWA needs to know about this deployment (map tiles) that is not a secret."""
