"""Data protection in the shell: the record of processing, its exports and the privacy notice rendered from it."""
