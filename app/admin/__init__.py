"""The consortium administrators' pages: users, invitations, organisations, the audit log."""
