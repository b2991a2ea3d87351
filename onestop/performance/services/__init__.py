"""Every write of C9."""
