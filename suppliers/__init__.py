"""Suppliers: profiles, declarations, sealed bids, bundle offers, documents and receipts."""
