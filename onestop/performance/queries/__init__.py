"""Every read of C9: the measures, each computed from the raw records an auditor can list."""
