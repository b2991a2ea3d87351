"""C7 notifications: the message record for everything OneStop sends, its templates and senders."""
