"""OneStop: customer service platform for UK local councils and their partner agencies."""
