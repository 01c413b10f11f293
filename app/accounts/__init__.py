"""Users, sign-in, sign-up, invitations and API tokens."""
