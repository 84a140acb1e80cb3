"""Sign-in, passwords, one-time tokens and the permission gate."""
