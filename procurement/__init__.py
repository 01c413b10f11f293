"""Procurement: pooling, evaluation, award, board, standstill, contracts, call-offs, levies, savings."""
