"""The portfolio award: which offers win, exactly, under the framework's rules; the greedy baseline beside it."""
